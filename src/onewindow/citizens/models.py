"""Citizen and company accounts of the public channel (ADR 0015).

A citizen is not a staff user: ``CitizenAccount`` is keyed by the keyed blind index of the
mobile number (the context applicants use for a person's phone, so the account's phone and a
registered person's phone compare without decrypting either). The number itself is stored only
encrypted, with a masked copy. Signing in takes a one-time code sent by SMS (``SignInCode``,
only a keyed hash kept); a signed-in browser or app holds an ``AccessToken`` (random, only its
SHA-256 kept, bound to the account, expiring, revocable). A real-name binding links the account
to an ``applicants.Person``; every binding and change of binding is a ``BindingRecord``.

A company account (``CompanyAccount``) is an ``applicants.Organisation`` claimed by its legal
representative's bound account; ``AgentGrant`` lets another person (named by resident ID and
name, never looked up by the representative) act for it within a scope and until a date.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope

ACCOUNT_PHONE_CONTEXT = "citizens.account.phone"


class CitizenAccount(models.Model):
    """One mobile number's account. Created by its first successful sign-in code."""

    # Same blind-index context as ``applicants.Person.phone_index`` (``person.phone``).
    phone_index = models.CharField(_("mobile (blind index)"), max_length=64, unique=True)
    phone_encrypted = models.TextField(_("mobile (encrypted)"))
    phone_masked = models.CharField(_("mobile"), max_length=32)
    person = models.OneToOneField(
        "applicants.Person",
        verbose_name=_("real-name person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citizen_account",
    )
    bound_at = models.DateTimeField(_("real name bound at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_signed_in_at = models.DateTimeField(_("last signed in at"), null=True, blank=True)
    # Real-name checks asked in the current day-long window (``CITIZEN_BIND_ATTEMPTS_PER_DAY``):
    # the check is an oracle of "does this name go with this ID", so it is rationed.
    bind_attempts = models.PositiveSmallIntegerField(_("real-name checks today"), default=0)
    bind_window_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.phone_masked

    def permission_scope(self) -> TargetScope:
        return TargetScope()


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign in")
    REBIND = "rebind", _("Change of real-name binding")


class SignInCode(models.Model):
    """One 6-digit code sent by SMS. Only a keyed hash of it is kept (``code_hash``); it works
    once, until ``expires_at``, and dies after ``CITIZEN_CODE_ATTEMPTS`` wrong tries. The rows
    are also the ledger the sending limits count (per phone, per client address), shared by
    every worker through the database."""

    phone_index = models.CharField(_("mobile (blind index)"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    # The client address as the limits count it (an IPv6 /64), keyed hash: never in clear.
    address_index = models.CharField(_("client address (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=["phone_index", "created_at"], name="citizen_code_phone"),
            models.Index(fields=["address_index", "created_at"], name="citizen_code_address"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class CodeLedger(models.Model):
    """One row per mobile number that was ever sent a code: locked (``select_for_update``)
    while a code is decided for that number, so that two concurrent requests cannot both pass
    the one-a-minute limit."""

    phone_index = models.CharField(max_length=64, unique=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code ledger")
        verbose_name_plural = _("code ledgers")

    def __str__(self) -> str:
        return self.phone_index[:8]


class TokenKind(models.TextChoices):
    BROWSER = "browser", _("Browser")
    APP = "app", _("Mobile app (API)")


class AccessToken(models.Model):
    """What a signed-in browser (in the ``ow_citizen`` cookie) or app (``Authorization: Bearer``)
    holds. The token has 256 random bits; only its SHA-256 is kept (a keyed hash would add
    nothing to a value nobody can guess), so a copy of the table signs nobody in."""

    account = models.ForeignKey(
        CitizenAccount, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TokenKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("device"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "revoked_at"], name="citizen_token_account")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class BindingRecord(models.Model):
    """One real-name binding or change of binding of an account: from which person to which,
    how it was verified (the verifier's name and its reference for the check)."""

    account = models.ForeignKey(
        CitizenAccount, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("account")
    )
    previous_person = models.ForeignKey(
        "applicants.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous person"),
    )
    person = models.ForeignKey(
        "applicants.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    verifier = models.CharField(_("verified by"), max_length=64)
    reference = models.CharField(_("check reference"), max_length=128, blank=True)
    created_person = models.BooleanField(_("person registered by this binding"), default=False)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("real-name binding")
        verbose_name_plural = _("real-name bindings")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.at:%Y-%m-%d %H:%M}"


class CompanyAccount(models.Model):
    """An organisation's account, claimed by its legal representative's bound account (the
    administrator of the company account)."""

    organisation = models.OneToOneField(
        "applicants.Organisation",
        on_delete=models.PROTECT,
        related_name="company_account",
        verbose_name=_("organisation"),
    )
    representative = models.ForeignKey(
        CitizenAccount,
        on_delete=models.PROTECT,
        related_name="companies_represented",
        verbose_name=_("legal representative's account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("company account")
        verbose_name_plural = _("company accounts")
        ordering = ["organisation__name", "id"]

    def __str__(self) -> str:
        return str(self.organisation)

    def permission_scope(self) -> TargetScope:
        return TargetScope()


def represented_by(account: CitizenAccount) -> models.Q:
    """The company accounts ``account`` represents *now*: it holds them and its real-name person
    is still the organisation's legal representative by document (blind index). A change of
    representative at the registry ends the former one's access at once, before the new one
    claims the account (``services.company_claim``)."""
    return models.Q(
        representative=account,
        representative__person__isnull=False,
        organisation__legal_representative_id_index=models.F(
            "representative__person__id_number_index"
        ),
    )


class AgentAction(models.TextChoices):
    APPLY = "apply", _("Apply for the company")
    VIEW_CASES = "view_cases", _("See the company's cases")


class AgentGrant(models.Model):
    """The representative authorises a person to act for the company: which actions, for which
    items (none listed = every item), until which day. The agent is named by resident ID (keyed
    blind index, masked copy) and name: the grant applies to whichever account binds that
    person, so granting never tells the representative whether that person has an account."""

    company = models.ForeignKey(
        CompanyAccount, on_delete=models.CASCADE, related_name="grants", verbose_name=_("company")
    )
    agent_id_index = models.CharField(_("agent's ID number (blind index)"), max_length=64)
    agent_id_masked = models.CharField(_("agent's ID number"), max_length=32)
    agent_name = models.CharField(_("agent's name"), max_length=64)
    actions = models.JSONField(_("actions"), default=list)
    item_codes = models.JSONField(_("items (implementation codes)"), default=list, blank=True)
    expires_on = models.DateField(_("valid until"))
    granted_by = models.ForeignKey(
        CitizenAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        CitizenAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("agent authorisation")
        verbose_name_plural = _("agent authorisations")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["agent_id_index"], name="citizen_grant_agent")]

    def __str__(self) -> str:
        return f"{self.agent_name} {self.agent_id_masked}"

    def is_active(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.revoked_at is None and self.expires_on >= day  # type: ignore[operator]

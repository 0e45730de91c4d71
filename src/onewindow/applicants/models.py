"""Applicants: natural persons and legal persons (organisations).

Personal identifiers never sit in a column in clear. Each is kept three ways (see
``onewindow.core.crypto``): an AES-GCM ciphertext (``*_encrypted``), a keyed blind index for
exact-match lookup (``*_index``) and the masked form shown on screens (``*_masked``). Rows are
written only by ``services.py``; reading a clear value goes through an audited service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import TimeStampedModel
from onewindow.org.permissions import TargetScope

# Encryption contexts: bound to each ciphertext as associated data, so a value copied into
# another column does not decrypt.
PERSON_ID_NUMBER_CONTEXT = "applicants.person.id_number"
PERSON_PHONE_CONTEXT = "applicants.person.phone"
PERSON_ADDRESS_CONTEXT = "applicants.person.address"
PERSON_PREFILL_CONTEXT = "applicants.person.prefill"
ORGANISATION_REPRESENTATIVE_ID_CONTEXT = "applicants.organisation.legal_representative_id"
ORGANISATION_PHONE_CONTEXT = "applicants.organisation.contact_phone"

# Blind-index contexts are shared between persons and legal representatives on purpose: the
# same ID number or phone gives the same index, so "which companies does this person
# represent" is one indexed query.
ID_NUMBER_INDEX_CONTEXT = "person.id_number"
PHONE_INDEX_CONTEXT = "person.phone"


class IdType(models.TextChoices):
    """Identity document types, valued with the national document type codes (证件类型代码)."""

    RESIDENT_ID = "111", _("Resident identity card")
    TAIWAN_PERMIT = "511", _("Mainland travel permit for Taiwan residents")
    HK_MACAU_PERMIT = "516", _("Mainland travel permit for Hong Kong and Macao residents")
    PASSPORT = "414", _("Passport")


class Gender(models.TextChoices):
    """GB/T 2261.1 sex codes; a resident ID's 17th digit is odd for men, even for women."""

    MALE = "1", _("Male")
    FEMALE = "2", _("Female")


class Person(TimeStampedModel):
    """A natural person who applies for something (自然人申请人)."""

    name = models.CharField(_("name"), max_length=64)
    id_type = models.CharField(
        _("identity document type"),
        max_length=3,
        choices=IdType.choices,
        default=IdType.RESIDENT_ID,
    )
    id_number_encrypted = models.TextField(_("identity document number (encrypted)"))
    id_number_index = models.CharField(_("identity document number (blind index)"), max_length=64)
    id_number_masked = models.CharField(_("identity document number"), max_length=32)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True)
    phone_index = models.CharField(
        _("phone (blind index)"), max_length=64, blank=True, db_index=True
    )
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True)
    address_encrypted = models.TextField(_("address (encrypted)"), blank=True)
    address_masked = models.CharField(_("address"), max_length=16, blank=True)
    # Derived from a resident ID number; empty for other document types. Both are shown by the
    # ID's mask anyway (the first six digits are the region, the 17th the sex). The birth date
    # is not kept: it is exactly the eight digits the mask hides; it is read from the encrypted
    # ID number inside an audited read when a window needs the person's age band.
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    region_code = models.CharField(_("region of registration"), max_length=6, blank=True)
    # "Fill once": the form values the person gave before, as one encrypted JSON object.
    prefill_encrypted = models.TextField(_("remembered form values (encrypted)"), blank=True)

    class Meta:
        verbose_name = _("natural person")
        verbose_name_plural = _("natural persons")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number_index"], name="person_id_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"

    def permission_scope(self) -> TargetScope:
        # A person belongs to no department or centre: only city-wide grants cover one.
        return TargetScope()


class Organisation(TimeStampedModel):
    """A legal person or other organisation that applies (法人申请人).

    The unified social credit code, the name and the business address are public registry
    data and stored plain; the legal representative's ID number and the contact phone are
    personal data and protected like a person's.
    """

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=255)
    legal_representative_name = models.CharField(_("legal representative"), max_length=64)
    legal_representative_id_type = models.CharField(
        _("legal representative's document type"),
        max_length=3,
        choices=IdType.choices,
        blank=True,
    )
    legal_representative_id_encrypted = models.TextField(
        _("legal representative's document number (encrypted)"), blank=True
    )
    legal_representative_id_index = models.CharField(
        _("legal representative's document number (blind index)"),
        max_length=64,
        blank=True,
        db_index=True,
    )
    legal_representative_id_masked = models.CharField(
        _("legal representative's document number"), max_length=32, blank=True
    )
    contact_phone_encrypted = models.TextField(_("contact phone (encrypted)"), blank=True)
    contact_phone_index = models.CharField(
        _("contact phone (blind index)"), max_length=64, blank=True, db_index=True
    )
    contact_phone_masked = models.CharField(_("contact phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.uscc}"

    def permission_scope(self) -> TargetScope:
        return TargetScope()


# A change of a person's identity details keeps the old and the new value encrypted, each in a
# context of its own (the field is part of it), and a keyed hash of the confirmation code.
PERSON_CHANGE_OLD_CONTEXT = "applicants.person_change.old.{field}"
PERSON_CHANGE_NEW_CONTEXT = "applicants.person_change.new.{field}"
PERSON_CHANGE_CODE_CONTEXT = "applicants.person_change.code.{change_id}"


class ChangeField(models.TextChoices):
    NAME = "name", _("name")
    PHONE = "phone", _("phone")
    ADDRESS = "address", _("address")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class ChangeMethod(models.TextChoices):
    """How a change of identity details was verified."""

    CARD_READ = "card_read", _("ID card read at the window")
    IDENTITY_SERVICE = "identity_service", _("Official identity check")
    SMS_CODE = "sms_code", _("Code sent to the registered phone")
    SECOND_STAFF = "second_staff", _("ID card read and approved by a second staff member")
    AT_WINDOW = "at_window", _("Given by the person at the window")


class PersonChange(models.Model):
    """One change of a person's name, phone or address: who asked, why, how it was verified,
    and the old and new values (encrypted, with masked copies). Written only by
    ``services.py``; a phone change waits (``pending``) for a code or a second staff member."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="changes"
    )
    field = models.CharField(_("field"), max_length=16, choices=ChangeField.choices)
    old_value_encrypted = models.TextField(_("old value (encrypted)"), blank=True)
    old_value_masked = models.CharField(_("old value"), max_length=64, blank=True)
    new_value_encrypted = models.TextField(_("new value (encrypted)"))
    new_value_masked = models.CharField(_("new value"), max_length=64)
    reason = models.CharField(_("reason"), max_length=255)
    method = models.CharField(
        _("verified by"), max_length=20, choices=ChangeMethod.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed or approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    code_hash = models.CharField(_("confirmation code (keyed hash)"), max_length=64, blank=True)
    code_sent_at = models.DateTimeField(_("code sent at"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    code_sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)

    class Meta:
        verbose_name = _("change of identity details")
        verbose_name_plural = _("changes of identity details")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="person_change_status")]

    def __str__(self) -> str:
        return f"{self.person.id_number_masked} {self.field} {self.status}"

    def permission_scope(self) -> TargetScope:
        return TargetScope()


class PersonChangeCodeSend(models.Model):
    """One confirmation code sent for a change of identity details: the ledger the hourly
    limits count, per person and per target phone (keyed blind index, never the number),
    across changes that replaced one another."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="change_code_sends", verbose_name=_("person")
    )
    change = models.ForeignKey(
        PersonChange, on_delete=models.PROTECT, related_name="code_sends_log"
    )
    target_index = models.CharField(_("target phone (blind index)"), max_length=64)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("change code sent")
        verbose_name_plural = _("change codes sent")
        indexes = [
            models.Index(fields=["person", "sent_at"], name="change_code_person_sent"),
            models.Index(fields=["target_index", "sent_at"], name="change_code_target_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.person.id_number_masked} {self.sent_at:%Y-%m-%d %H:%M}"

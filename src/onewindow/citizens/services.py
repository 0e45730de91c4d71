"""Writes of the citizen channel: sign-in codes, sign-in, tokens, real-name binding, company
accounts and their agents.

Invariants:
- a mobile number, an ID number or a code is never stored in clear: accounts keep the mobile
  encrypted with a keyed blind index (context ``person.phone``, shared with applicants) and a
  masked copy; codes and tokens only as hashes;
- no account enumeration: asking for a code answers the same whether the number has an account
  or not (the account is created by the first code typed back right), and the sending limits
  count per number and per client address, never per account;
- every refusal and every write is audited (no actor: a citizen is not a staff user; the
  account in the row's object or detail), with masked values only;
- bad input raises ``ValidationFailed`` and writes nothing; a wrong code is counted (that is
  what the limit is) and nothing else is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.identifiers import (
    MOBILE_RE,
    NAME_MAX_LENGTH,
    check_document_number,
    check_text,
    check_uscc,
    mask_name,
    normalise_phone,
)
from onewindow.applicants.models import (
    ID_NUMBER_INDEX_CONTEXT,
    PHONE_INDEX_CONTEXT,
    IdType,
)
from onewindow.applicants.services import (
    citizen_organisation_represented,
    citizen_person_for_binding,
)
from onewindow.catalog.models import ServiceItem
from onewindow.citizens.errors import (
    AgentOutOfScope,
    CodeRefused,
    RealNameRefused,
    TooManyCodes,
)
from onewindow.citizens.models import (
    ACCOUNT_PHONE_CONTEXT,
    AccessToken,
    AgentAction,
    AgentGrant,
    BindingRecord,
    CitizenAccount,
    CodeLedger,
    CodePurpose,
    CompanyAccount,
    SignInCode,
    TokenKind,
    represented_by,
)
from onewindow.citizens.realname import NOT_CONFIGURED, real_name_verifier
from onewindow.core import crypto
from onewindow.core.audit import audit_anonymous_refusal, audit_record
from onewindow.core.client import counted_address
from onewindow.core.errors import (
    ApplicationError,
    ErrorList,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import CONTROL_MESSAGE, has_control_characters
from onewindow.notify.services import message_enqueue
from onewindow.papers.services import person_paper_current, person_paper_withdraw

logger = logging.getLogger("onewindow.citizens")
ACCOUNT_SUBJECT = "citizens.account"
CODE_SUBJECT = "citizens.sign_in_code"
CODE_LENGTH = 6
TOKEN_PREFIX = "owc_"
TOKEN_MAX_LENGTH = 100
TOKEN_TOUCH_SECONDS = 60
GRANT_MAX_DAYS = 366
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

CODE_SENT = "citizens.code_sent"
SIGN_IN = "citizens.sign_in"
ACCOUNT_CREATE = "citizens.account_create"
TOKEN_REVOKE = "citizens.token_revoke"
BIND = "citizens.bind"
REBIND = "citizens.rebind"
COMPANY_CLAIM = "citizens.company_claim"
AGENT_GRANT = "citizens.agent_grant"
AGENT_REVOKE = "citizens.agent_revoke"
COMPANY_ACT = "citizens.company_act"

SIGN_IN_TEXT = _(
    "OneWindow sign-in code: %(code)s, valid for %(minutes)s minutes. Never give it to anyone: "
    "our staff will never ask for it."
)
REBIND_TEXT = _(
    "You are changing the real name of your OneWindow account. Code: %(code)s, valid for "
    "%(minutes)s minutes. If this is not you, give it to no one and call 12345."
)
REBOUND_NOTICE = _(
    "The real name of your OneWindow account was changed at %(date)s to %(name)s "
    "(%(id_number)s). If this was not you, call 12345."
)


def _setting(name: str) -> int:
    return int(getattr(settings, name))


def _notify_language() -> str:
    return str(getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE))


def mobile_checked(phone: str, *, field: str = "phone") -> str:
    """The 11-digit mobile number, or ``ValidationFailed`` (SMS reaches mobiles only)."""
    canonical = normalise_phone(phone or "")
    if canonical is None or not MOBILE_RE.fullmatch(canonical):
        raise ValidationFailed(
            _("The mobile number is not valid."),
            [
                _field_error(
                    field,
                    "invalid_mobile",
                    _("Enter a mainland mobile number: 11 digits starting with 1."),
                )
            ],
        )
    return canonical


def _checked_name(errors: ErrorList, *, field: str, value: str, required: Any) -> str:
    """A person's name: stripped, at most ``NAME_MAX_LENGTH``, no control characters."""
    name = check_text(
        errors, field=field, value=value, max_length=NAME_MAX_LENGTH, required_message=required
    )
    if has_control_characters(name):
        errors.add(field, "control_characters", CONTROL_MESSAGE)
        return ""
    return name


def _field_error(field: str, code: str, message: Any) -> Any:
    errors = ErrorList()
    errors.add(field, code, message)
    return errors[0]


def phone_index_of(phone: str) -> str:
    return crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)


def address_index_of(address: str) -> str:
    # Hex, so that the normalisation of blind indexes (letters and digits only) keeps every
    # character of "1.2.3.4" and "2001:db8::/64".
    return crypto.blind_index(
        counted_address(address or "-").encode().hex(), context="citizens.client_address"
    )


def _code_hash(*, phone_index: str, purpose: str, code: str) -> str:
    return crypto.blind_index(code, context=f"citizens.code.{purpose}.{phone_index}")


def code_normalised(code: str) -> str:
    text = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in text if not ch.isspace())


# ---------------------------------------------------------------------------------------------
# Codes


@dataclass(frozen=True)
class CodeSent:
    """The one answer to a code request: the same for every number."""

    resend_after: int
    expires_in: int


def _limit_refusal(
    *, phone_index: str, purpose: str, address_index: str, now: dt.datetime
) -> TooManyCodes | None:
    resend = _setting("CITIZEN_CODE_RESEND_SECONDS")
    per_day = _setting("CITIZEN_CODES_PER_DAY")
    per_address = _setting("CITIZEN_CODES_PER_ADDRESS_HOUR")
    mine = SignInCode.objects.filter(phone_index=phone_index, created_at__gt=now - DAY)
    latest = (
        mine.filter(purpose=purpose)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if latest is not None and (now - latest).total_seconds() < resend:
        wait = resend - int((now - latest).total_seconds())
        return TooManyCodes(
            message=_(
                "A code was sent to this number less than a minute ago. Wait %(seconds)s "
                "seconds, then ask again."
            ),
            seconds=max(1, wait),
            reason="resend_too_soon",
        )
    if mine.count() >= per_day:
        oldest = mine.order_by("created_at").values_list("created_at", flat=True)[0]
        return TooManyCodes(
            message=_(
                "This number has had today's codes. Try again in %(minutes)s minutes, or sign "
                "in at any window with your ID card."
            ),
            seconds=max(1, int((oldest + DAY - now).total_seconds())),
            reason="per_day",
        )
    from_address = SignInCode.objects.filter(address_index=address_index, created_at__gt=now - HOUR)
    if from_address.count() >= per_address:
        oldest = from_address.order_by("created_at").values_list("created_at", flat=True)[0]
        return TooManyCodes(
            message=_(
                "Too many codes were asked for from your network. Try again in %(minutes)s minutes."
            ),
            seconds=max(1, int((oldest + HOUR - now).total_seconds())),
            reason="per_address",
        )
    return None


def _code_send(
    *,
    phone: str,
    purpose: str,
    address: str,
    account: CitizenAccount | None = None,
    now: dt.datetime | None = None,
) -> CodeSent:
    now = now or timezone.now()
    phone_index = phone_index_of(phone)
    address_index = address_index_of(address)
    minutes = _setting("CITIZEN_CODE_MINUTES")
    with transaction.atomic():
        try:
            with transaction.atomic():
                CodeLedger.objects.get_or_create(phone_index=phone_index)
        except IntegrityError:  # created by a concurrent request: it exists now
            pass
        ledger = CodeLedger.objects.select_for_update().get(phone_index=phone_index)
        refusal = _limit_refusal(
            phone_index=phone_index, purpose=purpose, address_index=address_index, now=now
        )
        if refusal is None:
            code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
            row = SignInCode.objects.create(
                phone_index=phone_index,
                purpose=purpose,
                code_hash=_code_hash(phone_index=phone_index, purpose=purpose, code=code),
                address_index=address_index,
                created_at=now,
                expires_at=now + dt.timedelta(minutes=minutes),
            )
            ledger.last_sent_at = now
            ledger.save(update_fields=["last_sent_at"])
            template = SIGN_IN_TEXT if purpose == CodePurpose.SIGN_IN else REBIND_TEXT
            with translation.override(_notify_language()):
                text = str(template) % {"code": code, "minutes": minutes}
            message_enqueue(
                subject_type=ACCOUNT_SUBJECT if account is not None else CODE_SUBJECT,
                subject_id=account.pk if account is not None else row.pk,
                channel="sms",
                recipient=phone,
                template_code=f"citizen_code_{purpose}",
                text=text,
                idempotency_key=f"citizens.code:{row.pk}",
                secrets=(code,),
                now=now,
            )
            if getattr(settings, "CITIZEN_CODE_CONSOLE", False):
                # The embedded demo only (DEBUG=1): the log backend masks the code in the
                # message it logs, so a demo user reads it here.
                logger.warning("demo: code %s for %s (%s)", code, crypto.mask_phone(phone), purpose)
            audit_record(
                actor=None,
                action=CODE_SENT,
                obj=row,
                object_repr=crypto.mask_phone(phone),
                detail={
                    "purpose": purpose,
                    "phone": crypto.mask_phone(phone),
                    "address": address,
                    **({"account": account.pk} if account is not None else {}),
                },
            )
    if refusal is not None:
        audit_anonymous_refusal(
            action="denied:citizens.code_send",
            address=address,
            object_type="citizens.signincode",
            object_repr=crypto.mask_phone(phone),
            detail={
                "reason": refusal.reason,
                "purpose": purpose,
                "phone": crypto.mask_phone(phone),
            },
        )
        raise refusal
    return CodeSent(resend_after=_setting("CITIZEN_CODE_RESEND_SECONDS"), expires_in=minutes * 60)


def sign_in_code_request(*, phone: str, address: str, now: dt.datetime | None = None) -> CodeSent:
    """Send a sign-in code to ``phone`` (a mobile; else ``ValidationFailed``).

    The answer is the same whether the number has an account or not: nothing about accounts
    is read here. Limits (``TooManyCodes``, 429, audited once a minute per address): one code
    per ``CITIZEN_CODE_RESEND_SECONDS`` and ``CITIZEN_CODES_PER_DAY`` per number,
    ``CITIZEN_CODES_PER_ADDRESS_HOUR`` per client address; counted in ``SignInCode`` rows under
    a lock of the number's ``CodeLedger`` row, so every worker shares them and two concurrent
    requests cannot both pass. Side effect: the SMS through the outbox (the code masked in
    every copy it shows or logs), an audit row ``citizens.code_sent``."""
    return _code_send(
        phone=mobile_checked(phone), purpose=CodePurpose.SIGN_IN, address=address, now=now
    )


def account_mobile_for_self(*, account: CitizenAccount, purpose: str, reference: str) -> str:
    """The signed-in account's own mobile in clear, for a form the citizen files for themself
    (a 12345 matter answered on it): the system acting for the account holder, so no role is
    needed; the read is audited with the masked number, never the clear one."""
    if not purpose:
        raise ValueError("a purpose is required")
    audit_record(
        actor=None,
        action="citizens.account_mobile_read",
        obj=account,
        detail={"purpose": purpose, "reference": reference, "phone": account.phone_masked},
    )
    return crypto.decrypt(account.phone_encrypted, context=ACCOUNT_PHONE_CONTEXT)


def rebind_code_request(
    *, account: CitizenAccount, address: str, now: dt.datetime | None = None
) -> CodeSent:
    """Send the code that a change of real-name binding needs, to the account's own mobile."""
    phone = crypto.decrypt(account.phone_encrypted, context=ACCOUNT_PHONE_CONTEXT)
    return _code_send(
        phone=phone, purpose=CodePurpose.REBIND, address=address, account=account, now=now
    )


CODE_WRONG = _("The code is wrong. %(left)s tries left.")
CODE_DEAD = _("The code was typed wrong too often and no longer works. Ask for a new code.")
CODE_EXPIRED = _("The code has expired (codes work for %(minutes)s minutes). Ask for a new code.")
CODE_USED = _("This code has been used already. Ask for a new code.")
CODE_NONE = _("No code was sent to this number, or it was replaced. Ask for a new code.")
CODE_FORMAT = _("Enter the 6 digits of the code.")


def _code_consume(
    *, phone_index: str, purpose: str, code: str, now: dt.datetime
) -> tuple[SignInCode | None, CodeRefused | None]:
    """Inside the caller's transaction: the latest code of this number and purpose, locked;
    used up when ``code`` is right, a wrong try counted otherwise."""
    row = (
        SignInCode.objects.select_for_update()
        .filter(phone_index=phone_index, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )
    attempts = _setting("CITIZEN_CODE_ATTEMPTS")
    if row is None:
        return None, CodeRefused(message=CODE_NONE, code="code_missing")
    if row.used_at is not None:
        return row, CodeRefused(message=CODE_USED, code="code_used")
    if row.expires_at <= now:
        return row, CodeRefused(
            message=CODE_EXPIRED, code="code_expired", minutes=_setting("CITIZEN_CODE_MINUTES")
        )
    if row.attempts >= attempts:
        return row, CodeRefused(message=CODE_DEAD, code="code_locked")
    expected = _code_hash(phone_index=phone_index, purpose=purpose, code=code)
    if not secrets.compare_digest(expected, row.code_hash):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        if row.attempts >= attempts:
            return row, CodeRefused(message=CODE_DEAD, code="code_locked")
        return row, CodeRefused(message=CODE_WRONG, code="code_wrong", left=attempts - row.attempts)
    row.used_at = now
    row.save(update_fields=["used_at"])
    return row, None


def _check_code_format(code: str, *, field: str = "code") -> str:
    text = code_normalised(code)
    if len(text) != CODE_LENGTH or not text.isascii() or not text.isdigit():
        raise ValidationFailed(
            _("The code is not valid."), [_field_error(field, "invalid_code", CODE_FORMAT)]
        )
    return text


def refusal_audit(
    *, action: str, account: CitizenAccount | None, detail: dict[str, Any], object_repr: str = ""
) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=account,
        object_type="citizens.citizenaccount",
        object_repr=object_repr or (account.phone_masked if account else ""),
        allowed=False,
        detail=detail,
    )


@dataclass(frozen=True)
class SignedIn:
    account: CitizenAccount
    token: AccessToken
    secret: str  # the token itself: handed to the browser or the app once, never stored
    created: bool


def sign_in_with_code(
    *,
    phone: str,
    code: str,
    address: str,
    kind: str = TokenKind.BROWSER,
    label: str = "",
    now: dt.datetime | None = None,
) -> SignedIn:
    """Sign in with the code sent to ``phone``: the account is created at its first
    successful code. Returns the account and a new token (``kind`` browser or app).

    Refused (``CodeRefused``, 422, audited ``denied:citizens.sign_in``): no code sent, a code
    replaced by a newer one, expired, used already, or after ``CITIZEN_CODE_ATTEMPTS`` wrong
    tries; a wrong try is counted and nothing else is written."""
    phone = mobile_checked(phone)
    code = _check_code_format(code)
    now = now or timezone.now()
    phone_index = phone_index_of(phone)
    masked = crypto.mask_phone(phone)
    with transaction.atomic():
        _row, refusal = _code_consume(
            phone_index=phone_index, purpose=CodePurpose.SIGN_IN, code=code, now=now
        )
        signed_in = None
        if refusal is None:
            account = CitizenAccount.objects.filter(phone_index=phone_index).first()
            created = account is None
            if account is None:
                account = CitizenAccount.objects.create(
                    phone_index=phone_index,
                    phone_encrypted=crypto.encrypt(phone, context=ACCOUNT_PHONE_CONTEXT),
                    phone_masked=masked,
                    created_at=now,
                )
                audit_record(
                    actor=None, action=ACCOUNT_CREATE, obj=account, detail={"phone": masked}
                )
            account.last_signed_in_at = now
            account.save(update_fields=["last_signed_in_at"])
            token, secret = token_issue(account=account, kind=kind, label=label, now=now)
            audit_record(
                actor=None,
                action=SIGN_IN,
                obj=account,
                detail={"phone": masked, "kind": kind, "address": address, "token": token.pk},
            )
            signed_in = SignedIn(account=account, token=token, secret=secret, created=created)
    if refusal is not None:
        refusal_audit(
            action="denied:citizens.sign_in",
            account=None,
            object_repr=masked,
            detail={"phone": masked, "reason": refusal.code, "address": address},
        )
        raise refusal
    assert signed_in is not None
    return signed_in


# ---------------------------------------------------------------------------------------------
# Tokens


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(
    *, account: CitizenAccount, kind: str, label: str = "", now: dt.datetime | None = None
) -> tuple[AccessToken, str]:
    """A new token for ``account``; the secret is returned once and only its hash stored. A
    browser's lives ``CITIZEN_SESSION_HOURS`` (and ends after ``CITIZEN_SESSION_IDLE_MINUTES``
    unused), an app's ``CITIZEN_TOKEN_DAYS``."""
    if kind not in TokenKind.values:
        raise ValueError(f"unknown token kind {kind!r}")
    now = now or timezone.now()
    lifetime = (
        dt.timedelta(hours=_setting("CITIZEN_SESSION_HOURS"))
        if kind == TokenKind.BROWSER
        else dt.timedelta(days=_setting("CITIZEN_TOKEN_DAYS"))
    )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        account=account,
        kind=kind,
        token_hash=token_hash(secret),
        label="".join(ch for ch in (label or "") if not has_control_characters(ch))[:64],
        created_at=now,
        last_used_at=now,
        expires_at=now + lifetime,
    )
    return token, secret


def token_authenticate(
    *, secret: str, kind: str, now: dt.datetime | None = None
) -> AccessToken | None:
    """The live token of this kind with this secret, or ``None`` (unknown, expired, revoked,
    or — a browser's — idle too long, which revokes it). Marks it used (at most once a
    minute)."""
    if not secret or len(secret) > TOKEN_MAX_LENGTH or not secret.isascii():
        return None
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or timezone.now()
    token = (
        AccessToken.objects.select_related("account", "account__person")
        .filter(token_hash=token_hash(secret), kind=kind, revoked_at__isnull=True)
        .first()
    )
    if token is None or token.expires_at <= now:
        return None
    idle = dt.timedelta(minutes=_setting("CITIZEN_SESSION_IDLE_MINUTES"))
    last = token.last_used_at or token.created_at
    if kind == TokenKind.BROWSER and now - last > idle:
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason="idle"
        )
        return None
    if (now - last).total_seconds() >= TOKEN_TOUCH_SECONDS:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(
    *,
    account: CitizenAccount,
    token_id: int,
    reason: str = "revoked",
    now: dt.datetime | None = None,
) -> AccessToken:
    """Revoke one of the account's own tokens (a lost phone, an old browser). Another
    account's token or a missing one: ``NotFoundOrForbidden``, audited. Revoking a revoked
    token changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        token = AccessToken.objects.select_for_update().filter(pk=token_id, account=account).first()
        if token is not None and token.revoked_at is None:
            token.revoked_at = now
            token.revoked_reason = reason[:32]
            token.save(update_fields=["revoked_at", "revoked_reason"])
            audit_record(
                actor=None,
                action=TOKEN_REVOKE,
                obj=account,
                detail={"token": token.pk, "kind": token.kind, "reason": reason},
            )
    if token is None:
        refusal_audit(
            action="denied:citizens.token_revoke", account=account, detail={"token": token_id}
        )
        raise NotFoundOrForbidden()
    return token


def sign_out(*, token: AccessToken) -> None:
    """End the session or app sign-in that ``token`` is (revoked, audited)."""
    token_revoke(account=token.account, token_id=token.pk, reason="sign_out")


# ---------------------------------------------------------------------------------------------
# Real-name binding


REAL_NAME_REFUSED = _(
    "The identity check did not confirm this name and ID number together with your mobile "
    "number. Check what you typed, or have your account bound at any window with your ID card."
)
REAL_NAME_NOT_CONFIGURED = _(
    "Online identity checks are not connected on this platform yet. Bind your account at any "
    "window with your ID card."
)


def _bind_attempt_count(account: CitizenAccount, *, now: dt.datetime) -> None:
    """Count one real-name check of the account (committed even when the check then fails);
    refuse beyond ``CITIZEN_BIND_ATTEMPTS_PER_DAY``."""
    limit = _setting("CITIZEN_BIND_ATTEMPTS_PER_DAY")
    with transaction.atomic():
        locked = CitizenAccount.objects.select_for_update().get(pk=account.pk)
        started = locked.bind_window_started_at
        if started is None or now - started >= DAY:
            locked.bind_window_started_at, locked.bind_attempts = now, 0
            started = now
        refused = locked.bind_attempts >= limit
        if not refused:
            locked.bind_attempts += 1
        locked.save(update_fields=["bind_attempts", "bind_window_started_at"])
    if refused:
        refusal_audit(
            action="denied:citizens.bind",
            account=account,
            detail={"reason": "too_many_checks", "limit": limit},
        )
        seconds = max(1, int((started + DAY - now).total_seconds()))
        raise ApplicationError(
            _(
                "You have used today's %(limit)s identity checks. Try again in %(minutes)s "
                "minutes, or bind at any window with your ID card."
            ),
            code="too_many_checks",
            status=429,
            params={"limit": limit, "minutes": max(1, (seconds + 59) // 60)},
        )


def real_name_bind(
    *,
    account: CitizenAccount,
    id_number: str,
    name: str,
    code: str = "",
    address: str = "",
    now: dt.datetime | None = None,
) -> BindingRecord | None:
    """Bind the account to the person with this resident ID and name, as the configured
    ``RealNameVerifier`` confirms; ``None`` when it is bound to exactly that already.

    Input is checked first (the ID's check digit, date and region; the name), then — for an
    account bound already, i.e. a *change* of binding — the code sent to the account's mobile
    (``rebind_code_request``; ``CodeRefused`` otherwise), then the day's check limit, then the
    verifier (``RealNameRefused``, audited). The person is found by blind index or registered
    (``applicants.services.citizen_person_for_binding``); a person bound to another account
    stays there (409 ``person_bound_elsewhere``). A change of binding tells the account's
    mobile by SMS. Every binding is a ``BindingRecord`` and an audit row (masked values)."""
    now = now or timezone.now()
    errors = ErrorList()
    number = check_document_number(errors, id_type=IdType.RESIDENT_ID, id_number=id_number)
    name = _checked_name(
        errors, field="name", value=name, required=_("Enter your name as on your ID card.")
    )
    rebinding = account.person_id is not None
    if rebinding and not code_normalised(code):
        errors.add(
            "code",
            "required",
            _("Changing the real name of an account needs the code sent to its mobile."),
        )
    index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT) if number else ""
    current = account.person
    if current is not None and current.id_number_index == index and current.name == name:
        return None  # bound to exactly this person already: nothing to change, no code needed
    errors.raise_if_any(_("The real-name details are not valid."))
    reference = {"account": account.pk}
    if rebinding:
        checked_code = _check_code_format(code)
        with transaction.atomic():
            _row, refusal = _code_consume(
                phone_index=account.phone_index,
                purpose=CodePurpose.REBIND,
                code=checked_code,
                now=now,
            )
        if refusal is not None:
            refusal_audit(
                action="denied:citizens.rebind",
                account=account,
                detail={"reason": refusal.code, "address": address},
            )
            raise refusal
    _bind_attempt_count(account, now=now)
    verifier = real_name_verifier()
    result = verifier.verify(
        id_number=number, name=name, phone_index=account.phone_index, reference=reference
    )
    masked_id = crypto.mask_id_number(number)
    if not result.verified:
        refusal_audit(
            action="denied:" + (REBIND if rebinding else BIND),
            account=account,
            detail={
                "reason": result.code or "not_verified",
                "verifier": verifier.name,
                "id_number_masked": masked_id,
            },
        )
        if result.code == NOT_CONFIGURED:
            raise RealNameRefused(
                message=REAL_NAME_NOT_CONFIGURED, code="real_name_unavailable", status=503
            )
        raise RealNameRefused(message=REAL_NAME_REFUSED, code="real_name_not_verified")
    phone = crypto.decrypt(account.phone_encrypted, context=ACCOUNT_PHONE_CONTEXT)
    person, created = citizen_person_for_binding(
        id_number=number, name=name, phone=phone, verifier=verifier.name, reference=reference
    )
    with transaction.atomic():
        locked = CitizenAccount.objects.select_for_update().get(pk=account.pk)
        elsewhere = CitizenAccount.objects.filter(person=person).exclude(pk=locked.pk).exists()
        if not elsewhere:
            previous = locked.person
            locked.person = person
            locked.bound_at = now
            try:
                with transaction.atomic():
                    locked.save(update_fields=["person", "bound_at"])
            except IntegrityError:  # another account bound this person at this moment
                elsewhere = True
        if not elsewhere:
            record = BindingRecord.objects.create(
                account=locked,
                previous_person=previous,
                person=person,
                verifier=verifier.name,
                reference=result.reference[:128],
                created_person=created,
                at=now,
            )
            audit_record(
                actor=None,
                action=REBIND if previous is not None else BIND,
                obj=locked,
                detail={
                    "binding": record.pk,
                    "id_number_masked": person.id_number_masked,
                    "previous_id_number_masked": previous.id_number_masked if previous else "",
                    "verifier": verifier.name,
                    "reference": result.reference[:128],
                    "person_created": created,
                },
            )
            if previous is not None:
                with translation.override(_notify_language()):
                    text = str(REBOUND_NOTICE) % {
                        "date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
                        "name": mask_name(person.name),
                        "id_number": person.id_number_masked,
                    }
                message_enqueue(
                    subject_type=ACCOUNT_SUBJECT,
                    subject_id=locked.pk,
                    channel="sms",
                    recipient=phone,
                    template_code="citizen_rebound_notice",
                    text=text,
                    idempotency_key=f"citizens.binding:{record.pk}:notice",
                    now=now,
                )
    if elsewhere:
        refusal_audit(
            action="denied:" + (REBIND if rebinding else BIND),
            account=account,
            detail={"reason": "person_bound_elsewhere", "id_number_masked": masked_id},
        )
        raise RealNameRefused(
            message=_(
                "This person is bound to another mobile number's account already. Sign in with "
                "that number, or have the binding moved at any window with your ID card."
            ),
            code="person_bound_elsewhere",
            status=409,
        )
    account.refresh_from_db()
    return record


# ---------------------------------------------------------------------------------------------
# Companies


def _require_bound(account: CitizenAccount, *, action: str) -> Any:
    if account.person is None:
        refusal_audit(action=f"denied:{action}", account=account, detail={"reason": "not_bound"})
        raise ApplicationError(
            _("Bind your real name first: company accounts are for verified persons."),
            code="real_name_required",
            status=403,
        )
    return account.person


def company_claim(*, account: CitizenAccount, uscc: str) -> CompanyAccount:
    """Open (or take over) the company account of the organisation with this unified social
    credit code, for its registered legal representative: the account's bound person must be
    the organisation's legal representative by document (blind index). Any other case —
    unregistered code, somebody else's company — answers the same ``NotFoundOrForbidden``
    (audited by applicants). A representative changed at the registry takes over the company
    account (audited ``citizens.company_claim`` with the previous account)."""
    person = _require_bound(account, action=COMPANY_CLAIM)
    errors = ErrorList()
    code = check_uscc(errors, uscc=uscc)
    errors.raise_if_any(_("The unified social credit code is not valid."))
    organisation = citizen_organisation_represented(
        uscc=code, person=person, reference={"account": account.pk}
    )
    if organisation is None:
        raise NotFoundOrForbidden(
            _(
                "No registered organisation with this code has you as its legal representative. "
                "Check the code; a change of representative is registered at the market "
                "regulation window first."
            )
        )
    with transaction.atomic():
        company = (
            CompanyAccount.objects.select_for_update().filter(organisation=organisation).first()
        )
        previous = company.representative_id if company is not None else None
        if company is None:
            try:
                with transaction.atomic():
                    company = CompanyAccount.objects.create(
                        organisation=organisation, representative=account
                    )
            except IntegrityError:  # the same claim at this moment: it exists now
                return CompanyAccount.objects.get(organisation=organisation)
        elif company.representative_id != account.pk:
            company.representative = account
            company.save(update_fields=["representative"])
        else:
            return company
        audit_record(
            actor=None,
            action=COMPANY_CLAIM,
            obj=company,
            detail={"account": account.pk, "uscc": code, "previous_account": previous},
        )
    return company


def _company_of_representative(
    *, account: CitizenAccount, company_id: int, action: str
) -> CompanyAccount:
    company = (
        CompanyAccount.objects.select_related("organisation")
        .filter(represented_by(account), pk=company_id)
        .first()
    )
    if company is None:
        refusal_audit(action=f"denied:{action}", account=account, detail={"company": company_id})
        raise NotFoundOrForbidden()
    return company


def agent_grant(
    *,
    account: CitizenAccount,
    company_id: int,
    id_number: str,
    name: str,
    actions: list[str],
    item_codes: list[str],
    expires_on: dt.date | None,
    now: dt.datetime | None = None,
) -> AgentGrant:
    """The legal representative authorises the person with this resident ID and name to act
    for the company: ``actions`` (``apply``, ``view_cases``), for the items with these
    implementation codes (none = every item), until ``expires_on`` (tomorrow at the earliest,
    at most ``GRANT_MAX_DAYS`` ahead). Only the representative (else ``NotFoundOrForbidden``,
    audited, before the input is read). The grant names the person, not an account: nothing
    tells the representative whether that person has one. Audited ``citizens.agent_grant``."""
    company = _company_of_representative(account=account, company_id=company_id, action=AGENT_GRANT)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = ErrorList()
    number = check_document_number(errors, id_type=IdType.RESIDENT_ID, id_number=id_number)
    name = _checked_name(
        errors, field="name", value=name, required=_("Enter the agent's name as on their ID card.")
    )
    chosen = sorted(set(actions or []))
    if not chosen:
        errors.add("actions", "required", _("Choose at least one thing the agent may do."))
    elif set(chosen) - set(AgentAction.values):
        errors.add("actions", "invalid_choice", _("Unknown action."))
    codes = sorted({(c or "").strip() for c in item_codes or [] if (c or "").strip()})
    if any(has_control_characters(c) or len(c) > 36 for c in codes):
        errors.add("item_codes", "invalid_format", _("An item code is not valid."))
        codes = []
    if codes:
        known = set(
            ServiceItem.objects.filter(implementation_code__in=codes).values_list(
                "implementation_code", flat=True
            )
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.add(
                "item_codes",
                "unknown_item",
                _("No service item has the code %(codes)s."),
                codes=", ".join(unknown[:5]),
            )
    if expires_on is None:
        errors.add("expires_on", "required", _("Enter the last day of the authorisation."))
    elif expires_on <= today or expires_on > today + dt.timedelta(days=GRANT_MAX_DAYS):
        errors.add(
            "expires_on",
            "out_of_range",
            _("The last day must be after today and at most %(days)s days ahead."),
            days=GRANT_MAX_DAYS,
        )
    representative = account.person
    if (
        number
        and representative is not None
        and crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
        == representative.id_number_index
    ):
        errors.add(
            "id_number",
            "is_representative",
            _("The legal representative needs no authorisation."),
        )
    errors.raise_if_any(_("The authorisation is not valid."))
    assert expires_on is not None
    with transaction.atomic():
        grant = AgentGrant.objects.create(
            company=company,
            agent_id_index=crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT),
            agent_id_masked=crypto.mask_id_number(number),
            agent_name=name,
            actions=chosen,
            item_codes=codes,
            expires_on=expires_on,
            granted_by=account,
            granted_at=now,
        )
        audit_record(
            actor=None,
            action=AGENT_GRANT,
            obj=company,
            detail={
                "account": account.pk,
                "grant": grant.pk,
                "agent_id_masked": grant.agent_id_masked,
                "agent_name": mask_name(name),
                "actions": chosen,
                "item_codes": codes,
                "expires_on": expires_on.isoformat(),
            },
        )
    return grant


def agent_revoke(
    *, account: CitizenAccount, company_id: int, grant_id: int, now: dt.datetime | None = None
) -> AgentGrant:
    """The representative ends an authorisation (audited ``citizens.agent_revoke``); a revoked
    one stays revoked."""
    company = _company_of_representative(
        account=account, company_id=company_id, action=AGENT_REVOKE
    )
    now = now or timezone.now()
    with transaction.atomic():
        grant = AgentGrant.objects.select_for_update().filter(pk=grant_id, company=company).first()
        if grant is not None and grant.revoked_at is None:
            grant.revoked_at = now
            grant.revoked_by = account
            grant.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=None,
                action=AGENT_REVOKE,
                obj=company,
                detail={
                    "account": account.pk,
                    "grant": grant.pk,
                    "agent_id_masked": grant.agent_id_masked,
                },
            )
    if grant is None:
        refusal_audit(
            action=f"denied:{AGENT_REVOKE}",
            account=account,
            detail={"company": company_id, "grant": grant_id},
        )
        raise NotFoundOrForbidden()
    return grant


@dataclass(frozen=True)
class CompanyRole:
    """How an account may act for a company: as its representative (everything), or as an
    agent within the union of its live grants."""

    company: CompanyAccount
    representative: bool
    grants: tuple[AgentGrant, ...] = ()

    def allows(self, action: str, item_code: str = "") -> bool:
        if self.representative:
            return True
        return any(
            action in grant.actions
            and (not item_code or not grant.item_codes or item_code in grant.item_codes)
            for grant in self.grants
        )

    def item_codes_for(self, action: str) -> list[str] | None:
        """The items the account may do ``action`` for: ``None`` for every item."""
        if self.representative:
            return None
        codes: set[str] = set()
        for grant in self.grants:
            if action in grant.actions:
                if not grant.item_codes:
                    return None
                codes.update(grant.item_codes)
        return sorted(codes)


def live_grants_for(account: CitizenAccount, *, today: dt.date | None = None) -> list[AgentGrant]:
    """The live authorisations naming the account's bound person (ID by blind index, same
    name)."""
    person = account.person
    if person is None:
        return []
    day = today or timezone.localdate()
    return list(
        AgentGrant.objects.select_related("company__organisation")
        .filter(
            agent_id_index=person.id_number_index,
            agent_name=person.name,
            revoked_at__isnull=True,
            expires_on__gte=day,
        )
        .order_by("company_id", "id")
    )


def company_act_check(
    *, account: CitizenAccount, company_id: int, action: str, item_code: str = ""
) -> CompanyRole:
    """May ``account`` do ``action`` (``AgentAction``) for the company, for the item with
    ``item_code`` (blank: the action in general)? The representative may do everything; an
    agent what one of their live grants covers. A company the account has nothing to do with
    (or a missing one) answers ``NotFoundOrForbidden``; an agent outside their scope
    ``AgentOutOfScope`` (403). Both audited ``denied:citizens.company_act``."""
    company = CompanyAccount.objects.select_related("organisation").filter(pk=company_id).first()
    if (
        company is not None
        and company.representative_id == account.pk
        and CompanyAccount.objects.filter(represented_by(account), pk=company.pk).exists()
    ):
        return CompanyRole(company=company, representative=True)
    grants = tuple(g for g in live_grants_for(account) if company and g.company_id == company.pk)
    detail = {"company": company_id, "action": action, "item_code": item_code[:36]}
    if company is None or not grants:
        refusal_audit(
            action=f"denied:{COMPANY_ACT}",
            account=account,
            detail={**detail, "reason": "not_found"},
        )
        raise NotFoundOrForbidden()
    role = CompanyRole(company=company, representative=False, grants=grants)
    if not role.allows(action, item_code):
        refusal_audit(
            action=f"denied:{COMPANY_ACT}",
            account=account,
            detail={**detail, "reason": "out_of_scope", "grants": [g.pk for g in grants]},
        )
        raise AgentOutOfScope()
    return role


def my_paper_withdraw(*, account: CitizenAccount, kept_id: int | None) -> None:
    """The citizen withdraws the consent to keep one of their papers in "my papers": it is no
    longer offered for reuse (``papers.person_paper_withdraw``, audited). Missing, withdrawn
    already, another person's or no bound person: ``NotFoundOrForbidden``, audited
    ``denied:citizens.paper_withdraw``."""
    kept = None
    person = account.person
    if person is not None and kept_id is not None:
        kept = person_paper_current(person=person, kept_id=kept_id)
    if kept is None or person is None:
        refusal_audit(
            action="denied:citizens.paper_withdraw", account=account, detail={"kept": kept_id}
        )
        raise NotFoundOrForbidden()
    with transaction.atomic():
        person_paper_withdraw(kept=kept, actor=None)
        # Who withdrew it: the papers app's row names the paper only (no staff actor).
        audit_record(
            actor=None,
            action="citizens.paper_withdraw",
            obj=account,
            detail={"kept": kept.pk, "person_id_masked": person.id_number_masked},
        )

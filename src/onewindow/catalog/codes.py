"""Code values of the national integrated online government-service platform.

Kept as ``TextChoices`` whose values are the national codes, so exported data uses the codes
provincial platforms exchange. Labels are the Chinese names, translated to English in locale/.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ItemType(models.TextChoices):
    LICENSING = "01", _("Administrative licensing")
    PENALTY = "02", _("Administrative penalty")
    COERCION = "03", _("Administrative coercion")
    LEVY = "04", _("Administrative levy")
    PAYMENT = "05", _("Administrative payment")
    INSPECTION = "06", _("Administrative inspection")
    CONFIRMATION = "07", _("Administrative confirmation")
    REWARD = "08", _("Administrative reward")
    ADJUDICATION = "09", _("Administrative adjudication")
    OTHER_POWER = "10", _("Other administrative power")
    PUBLIC_SERVICE = "20", _("Public service")
    REVIEW_FORWARD = "12", _("Review and forward")


class ExerciseLevel(models.TextChoices):
    NATIONAL = "1", _("National")
    PROVINCIAL = "2", _("Provincial")
    MUNICIPAL = "3", _("Municipal")
    COUNTY = "4", _("County / district")
    TOWNSHIP = "5", _("Township / street")
    VILLAGE = "6", _("Village / community")
    TIERED = "7", _("Tiered management")


class ServiceObject(models.TextChoices):
    NATURAL_PERSON = "1", _("Natural person")
    ENTERPRISE = "2", _("Enterprise legal person")
    INSTITUTION = "3", _("Public institution")
    SOCIAL_ORGANISATION = "4", _("Social organisation")
    UNINCORPORATED = "5", _("Unincorporated enterprise")
    GOVERNMENT = "6", _("Administrative organ")
    OTHER = "9", _("Other organisation")


class CaseType(models.TextChoices):
    INSTANT = "1", _("Instant item")
    PROMISED = "2", _("Promised item")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "1", _("working days")
    NATURAL_DAY = "2", _("natural days")
    HOUR = "3", _("hours")
    MINUTE = "4", _("minutes")
    MONTH = "5", _("months")


def time_limit_text(amount: int | None, unit: str) -> str:
    """A time limit as people say it: "1 working day", "5 working days", "5个工作日"."""
    if amount is None:
        return ""
    n = int(amount)
    if unit == TimeUnit.WORKING_DAY:
        text = ngettext("%(n)d working day", "%(n)d working days", n)
    elif unit == TimeUnit.NATURAL_DAY:
        text = ngettext("%(n)d natural day", "%(n)d natural days", n)
    elif unit == TimeUnit.HOUR:
        text = ngettext("%(n)d hour", "%(n)d hours", n)
    elif unit == TimeUnit.MINUTE:
        text = ngettext("%(n)d minute", "%(n)d minutes", n)
    elif unit == TimeUnit.MONTH:
        text = ngettext("%(n)d month", "%(n)d months", n)
    else:
        return f"{n} {unit}"
    return text % {"n": n}


class MaterialNecessity(models.TextChoices):
    REQUIRED = "1", _("Required")
    OPTIONAL = "2", _("Optional")
    DEFERRABLE = "3", _("May be supplied later (容缺后补)")


class MaterialType(models.TextChoices):
    CERTIFICATE = "1", _("Certificate or proof")
    FORM = "2", _("Application form or document")
    OTHER = "3", _("Other")


class MaterialForm(models.TextChoices):
    PAPER = "1", _("Paper")
    ELECTRONIC = "2", _("Electronic")
    BOTH = "3", _("Paper or electronic")


class OnlineDepth(models.TextChoices):
    CONSULT = "1", _("Online consultation")
    RECEIVE = "2", _("Online submission")
    PRE_REVIEW = "3", _("Online pre-review")
    ACCEPT = "4", _("Online acceptance")
    HANDLE = "5", _("Online handling")
    RESULT_FEEDBACK = "6", _("Result information online")
    LICENCE_FEEDBACK = "7", _("Electronic licence online")
    OTHER = "8", _("Other")


# 全程网办 (fully online, grade IV): submitted, accepted, handled and answered online.
FULL_ONLINE_DEPTH = frozenset(
    {OnlineDepth.RECEIVE, OnlineDepth.ACCEPT, OnlineDepth.HANDLE, OnlineDepth.RESULT_FEEDBACK}
)


class ResultType(models.TextChoices):
    LICENCE = "1", _("Certificate or licence")
    APPROVAL_DOCUMENT = "2", _("Approval document")
    OTHER = "3", _("Other")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REVIEW = "review", _("Review")
    DECIDE = "decide", _("Decide")
    COMPLETE = "complete", _("Complete")
    DELIVER = "deliver", _("Deliver")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    NATURAL_PERSON = "natural", _("Individuals")
    LEGAL_PERSON = "legal", _("Businesses and organisations")


class FormFieldKind(models.TextChoices):
    """What an online application form asks for in one field (``FormField.kind``)."""

    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Longer text")
    INTEGER = "integer", _("Whole number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("One choice")
    MULTICHOICE = "multichoice", _("Several choices")
    BOOLEAN = "boolean", _("Yes or no")
    PHONE = "phone", _("Mobile number")
    ID_NUMBER = "id_number", _("Resident ID number")
    USCC = "uscc", _("Unified social credit code")
    ADDRESS = "address", _("Address")


# Answers of these kinds are personal data: the online application stores them encrypted and
# shows them masked.
PERSONAL_FORM_FIELD_KINDS = frozenset(
    {FormFieldKind.PHONE, FormFieldKind.ID_NUMBER, FormFieldKind.ADDRESS}
)
# Kinds whose answers are picked from the field's ``choices`` (and only these have choices).
CHOICE_FORM_FIELD_KINDS = frozenset({FormFieldKind.CHOICE, FormFieldKind.MULTICHOICE})


def is_personal(kind: str) -> bool:
    """Is an answer of this form-field kind personal data (stored encrypted, shown masked)?"""
    return kind in PERSONAL_FORM_FIELD_KINDS


class FormPrefill(models.TextChoices):
    """Where an online form field's first value comes from: what the person gave before."""

    NONE = "", _("Nothing")
    PERSON_NAME = "person.name", _("Applicant's name")
    PERSON_ID_NUMBER = "person.id_number", _("Applicant's ID number")
    PERSON_PHONE = "person.phone", _("Applicant's phone")
    PERSON_ADDRESS = "person.address", _("Applicant's address")
    ORGANISATION_NAME = "organisation.name", _("Organisation's name")
    ORGANISATION_USCC = "organisation.uscc", _("Organisation's unified social credit code")
    ORGANISATION_ADDRESS = "organisation.address", _("Organisation's address")
    ORGANISATION_LEGAL_REP = "organisation.legal_rep", _("Legal representative's name")

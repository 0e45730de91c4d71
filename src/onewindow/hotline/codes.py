"""Code values of a 12345 work order (国办发〔2020〕53号, GB/T 33358-2016): channels, the types of
call (来电类别), urgency (紧急程度), the grounds on which a matter is not accepted, the roles of the
units handling an order (主办/协办), and the answers of the handling form and the call-back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """受理渠道: where the order came from."""

    PHONE = "phone", _("Phone call (12345)")
    WEB = "web", _("Web form")
    ACCOUNT = "account", _("Citizen account")
    OPEN311 = "open311", _("Open311 client")
    RATING = "rating", _("Bad rating (差评)")


class OrderType(models.TextChoices):
    """来电类别."""

    CONSULT = "consult", _("Consultation (咨询)")
    HELP = "help", _("Request for help (求助)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    REPORT = "report", _("Report of wrongdoing (举报)")
    SUGGEST = "suggest", _("Suggestion (建议)")
    PRAISE = "praise", _("Praise (表扬)")


class Urgency(models.TextChoices):
    """紧急程度."""

    NORMAL = "normal", _("Normal (一般)")
    URGENT = "urgent", _("Urgent (紧急)")
    CRITICAL = "critical", _("Very urgent (特急)")


class NotAccepted(models.TextChoices):
    """Why a matter is not accepted (不予受理): it belongs to another procedure, or is an
    emergency referred to the emergency number at once."""

    LITIGATION = "litigation", _("In litigation (已进入诉讼程序)")
    ARBITRATION = "arbitration", _("In arbitration (已进入仲裁程序)")
    RECONSIDERATION = "reconsideration", _("In administrative reconsideration (行政复议)")
    PETITION = "petition", _("A petition matter (信访事项)")
    SECRET = "secret", _("Involves state secrets (涉密)")
    EMERGENCY_110 = "110", _("Emergency: referred to the police (110)")
    EMERGENCY_119 = "119", _("Emergency: referred to the fire service (119)")
    EMERGENCY_120 = "120", _("Emergency: referred to the ambulance (120)")
    EMERGENCY_122 = "122", _("Emergency: referred to the traffic police (122)")


EMERGENCY_REFERRALS = frozenset(
    {
        NotAccepted.EMERGENCY_110,
        NotAccepted.EMERGENCY_119,
        NotAccepted.EMERGENCY_120,
        NotAccepted.EMERGENCY_122,
    }
)


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit (主办)")
    ASSIST = "assist", _("Assisting unit (协办)")


class UnitKind(models.TextChoices):
    """What a handling unit is, for the rule "matters of a functional department are not pushed
    down to the streets"."""

    FUNCTIONAL = "functional", _("Functional department (职能部门)")
    STREET = "street", _("Street office (街道办事处)")
    UTILITY = "utility", _("Public utility (公共服务企业)")
    # 综合执法: the one team for comprehensive enforcement (grid cases, urban app).
    ENFORCEMENT = "enforcement", _("Comprehensive enforcement team (综合行政执法队)")


class Truth(models.TextChoices):
    """诉求属实."""

    TRUE = "true", _("True (属实)")
    PARTLY = "partly", _("Partly true (部分属实)")
    FALSE = "false", _("Not true (不属实)")


class ExtensionDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for the hotline centre")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Reached the caller")
    NOT_REACHED = "not_reached", _("Could not reach the caller")


class AttachmentKind(models.TextChoices):
    """Who gave an order's attachment (附件): the hotline centre at intake (the caller's photos,
    which may show who called) or the lead unit while handling (with its handling form)."""

    INTAKE = "intake", _("Given at intake (受理附件)")
    HANDLING = "handling", _("From the handling unit (办理附件)")

"""Code values of 好差评 (国办发〔2019〕51号, GB/T 39734-2020): the five levels, the channels, the
dimensions each channel rates, and the versioned rating forms (the options shown depend on the
level chosen; every rating stores the version of the form it was given on)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
    SATISFIED = 4, _("Satisfied (满意)")
    BASICALLY_SATISFIED = 3, _("Basically satisfied (基本满意)")
    DISSATISFIED = 2, _("Dissatisfied (不满意)")
    VERY_DISSATISFIED = 1, _("Very dissatisfied (非常不满意)")


# 差评: the two lowest levels. 满意率 counts the three highest over all ratings.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED})


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


class Channel(models.TextChoices):
    """Where a rating was given. On site: one rating per visit; online: one per case."""

    PAD = "pad", _("Rating pad at the window")
    QR = "qr", _("QR code on the receipt")
    KIOSK = "kiosk", _("Self-service kiosk")
    ACCOUNT = "account", _("Citizen account")
    SMS = "sms", _("SMS link")
    PROGRESS = "progress", _("Progress page")
    HOTLINE = "hotline", _("12345 hotline")
    DEFAULT = "default", _("Default after the rating period")


ON_SITE_CHANNELS = frozenset({Channel.PAD, Channel.QR, Channel.KIOSK})
ONLINE_CHANNELS = frozenset({Channel.ACCOUNT, Channel.SMS, Channel.PROGRESS, Channel.HOTLINE})


class Occasion(models.TextChoices):
    """What one rating is about: one visit at a window (on site), or the whole case (online)."""

    VISIT = "visit", _("One visit (on site)")
    CASE = "case", _("The case (online)")


class Dimension(models.TextChoices):
    OVERALL = "overall", _("Overall satisfaction (整体满意度)")
    EFFICIENCY = "efficiency", _("Efficiency (办事效率)")
    GUIDE = "guide", _("Accuracy of the service guide (办事指南精确度)")
    CONVENIENCE = "convenience", _("Convenience (办事便捷度)")
    USABILITY = "usability", _("Ease of use of the platform (平台操作性)")
    SERVICE_EFFICIENCY = "service_efficiency", _("Service efficiency (服务效率)")
    COMPETENCE = "competence", _("Competence (服务水平)")
    ATTITUDE = "attitude", _("Attitude (服务态度)")


ONLINE_DIMENSIONS = (
    Dimension.OVERALL,
    Dimension.EFFICIENCY,
    Dimension.GUIDE,
    Dimension.CONVENIENCE,
    Dimension.USABILITY,
)
ON_SITE_DIMENSIONS = (
    Dimension.OVERALL,
    Dimension.SERVICE_EFFICIENCY,
    Dimension.COMPETENCE,
    Dimension.ATTITUDE,
)


def dimensions_for(occasion: str) -> tuple[Dimension, ...]:
    return ON_SITE_DIMENSIONS if occasion == Occasion.VISIT else ONLINE_DIMENSIONS


@dataclass(frozen=True)
class Option:
    """One tick box of a rating form (e.g. "waited too long"), shown for some levels."""

    code: str
    label: str | Promise
    levels: frozenset[int]


GOOD = frozenset({5, 4})
MIDDLE = frozenset({3})
BAD = frozenset({2, 1})

# The rating form, versioned: a rating stores the version it was given on, so a later change of
# the options never changes what an earlier rating meant.
FORM_VERSION = "2026.1"
FORMS: dict[str, dict[str, tuple[Option, ...]]] = {
    "2026.1": {
        Occasion.VISIT: (
            Option("quick", _("Quick, no waiting"), GOOD),
            Option("polite", _("Friendly and patient"), GOOD),
            Option("clear", _("Explained clearly"), GOOD | MIDDLE),
            Option("once", _("Done in one visit"), GOOD),
            Option("wait_long", _("Waited too long"), MIDDLE | BAD),
            Option("unclear", _("Did not explain clearly"), MIDDLE | BAD),
            Option("attitude", _("Impatient or impolite"), BAD),
            Option("more_visits", _("Asked to come again"), BAD),
            Option("extra_papers", _("Asked for papers not in the guide"), BAD),
        ),
        Occasion.CASE: (
            Option("fast", _("Faster than promised"), GOOD),
            Option("guide_right", _("The guide was accurate"), GOOD | MIDDLE),
            Option("easy", _("Easy to apply"), GOOD),
            Option("online_all", _("Done without visiting"), GOOD),
            Option("slow", _("Slower than promised"), MIDDLE | BAD),
            Option("guide_wrong", _("The guide was inaccurate"), MIDDLE | BAD),
            Option("hard_to_use", _("The website or app was hard to use"), MIDDLE | BAD),
            Option("more_visits", _("Had to visit or apply again"), BAD),
            Option("extra_papers", _("Asked for papers not in the guide"), BAD),
        ),
    }
}


def options_for(occasion: str, level: int, version: str = FORM_VERSION) -> tuple[Option, ...]:
    """The options the form of ``version`` shows for ``level``."""
    return tuple(o for o in FORMS[version][occasion] if level in o.levels)


class RatedRole(models.TextChoices):
    WINDOW = "window", _("Window clerk")
    BACK_OFFICE = "back_office", _("Back-office staff")

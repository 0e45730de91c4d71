"""Every write of comprehensive enforcement (keyword-only, permission first, one transaction,
audited). ``urban`` calls ``task_open``, ``task_release`` and ``task_concluded``."""

from onewindow.enforcement.services.common import LegalBasis, Upload
from onewindow.enforcement.services.parties import (
    PartyInput,
    party_id_number_reveal,
    party_phone_reveal,
)
from onewindow.enforcement.services.photos import photo_open
from onewindow.enforcement.services.records import (
    inspection_record,
    notice_issue,
    penalty_decide,
    reinspection_record,
)
from onewindow.enforcement.services.tasks import (
    task_concluded,
    task_drop,
    task_open,
    task_release,
    task_release_check,
)

__all__ = [
    "LegalBasis",
    "PartyInput",
    "Upload",
    "inspection_record",
    "notice_issue",
    "party_id_number_reveal",
    "party_phone_reveal",
    "penalty_decide",
    "photo_open",
    "reinspection_record",
    "task_concluded",
    "task_drop",
    "task_open",
    "task_release",
    "task_release_check",
]

"""Code values of the organisation model (no models here, so rules and permissions can use
them without importing the model module)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")


# National statistical division codes are 12 digits: 6 for the county-level district,
# 3 for the street (乡镇/街道), 3 for the community (村/社区). A region's descendants are the
# regions whose code starts with its significant prefix, which keeps tree queries to one
# indexed LIKE on any database.
REGION_PREFIX_LENGTH = {RegionLevel.DISTRICT: 6, RegionLevel.STREET: 9, RegionLevel.COMMUNITY: 12}
PARENT_LEVEL = {RegionLevel.STREET: RegionLevel.DISTRICT, RegionLevel.COMMUNITY: RegionLevel.STREET}


class CentreLevel(models.TextChoices):
    DISTRICT_HALL = "district_hall", _("District service hall")
    STREET_CENTRE = "street_centre", _("Street service centre")
    COMMUNITY_POINT = "community_point", _("Community service point")
    KIOSK = "kiosk", _("Self-service kiosk")


class WindowKind(models.TextChoices):
    INTAKE = "intake", _("Comprehensive intake window")
    OUTPUT = "output", _("Output window")
    SPECIAL = "special", _("Special window")


class Role(models.TextChoices):
    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    OUTPUT_CLERK = "output_clerk", _("Output clerk")
    DEPT_APPROVER = "dept_approver", _("Department approver")
    DEPT_LEAD = "dept_lead", _("Department lead")
    CENTRE_MANAGER = "centre_manager", _("Centre manager")
    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    GRID_WORKER = "grid_worker", _("Grid worker")
    # Grid management's two centres (GB/T 30428): the supervision centre's duty chief (值班长:
    # accepts, files, closes, approves) and the command centre's dispatcher (派遣员).
    GRID_CHIEF = "grid_chief", _("Grid supervision duty chief")
    GRID_DISPATCHER = "grid_dispatcher", _("Grid command dispatcher")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("Enforcement officer")
    AUDITOR = "auditor", _("Auditor")
    # 三员分立 (separation of duties): the system administrator runs accounts, organisation and
    # configuration; the security administrator grants roles and resets second factors; the
    # auditor reads the audit trail. No one of them can do another's part (org/permissions.py).
    ADMIN = "admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")

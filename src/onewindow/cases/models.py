"""Cases (办件): one application for one item version, from intake to hand-over.

``Case.state`` moves only through ``services.case_transition`` (see ``transitions.py``); every
move writes a ``CaseEvent``, which is both the audit trail and the public progress timeline.
Back-office work is a list of ``CaseTask`` rows built from the pinned item version's steps; a
joint item gets one parallel task per department at its review step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.transitions import CaseState, TaskState
from onewindow.catalog.codes import MaterialNecessity, StepKind, TimeUnit
from onewindow.core import crypto
from onewindow.org.models import Department, Role, ServiceCentre, Window
from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord

QUERY_CODE_CONTEXT = "cases.case.query_code"


def query_code_index(code: str) -> str:
    """The blind index of a query code as typed (spaces and case do not matter)."""
    return crypto.blind_index(code.strip().upper(), context=QUERY_CODE_CONTEXT)


class ApplicantType(models.TextChoices):
    NATURAL_PERSON = "natural", _("Natural person")
    LEGAL_PERSON = "legal", _("Legal person")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OutputMethod(models.TextChoices):
    WINDOW = "window", _("Collect at an output window")
    POST = "post", _("Send by post")
    ELECTRONIC = "electronic", _("Deliver electronically")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    # The code on the receipt that opens the public progress page: never stored in clear. The
    # keyed blind index checks a code typed on the page; the AES-GCM copy reprints the receipt
    # and goes into the applicant's own SMS (ADR 0008).
    query_code_encrypted = models.TextField(_("query code (encrypted)"), editable=False)
    query_code_index = models.CharField(
        _("query code (blind index)"), max_length=64, editable=False
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion",
        verbose_name=_("item version"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="cases"
    )
    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("accepted at"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intake clerk"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_type = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantType.choices
    )
    person = models.ForeignKey(
        "applicants.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    organisation = models.ForeignKey(
        "applicants.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    state = models.CharField(_("state"), max_length=32, choices=CaseState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    result_number = models.CharField(_("result licence number"), max_length=64, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    time_limit = models.PositiveIntegerField(_("promised time limit"), default=0)
    time_limit_unit = models.CharField(
        _("unit"), max_length=1, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    due_at = models.DateTimeField(_("promised completion"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    supplement_deadline = models.DateField(_("papers due by"), null=True, blank=True)

    output_method = models.CharField(
        _("how the result is handed over"),
        max_length=16,
        choices=OutputMethod.choices,
        default=OutputMethod.WINDOW,
    )
    output_centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("output centre"),
        on_delete=models.PROTECT,
        related_name="output_cases",
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # SHA-256 of the whole normalised submission that came with the key (services.intake).
    submission_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "department"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["person", "submitted_at"]),
            # The window chooser's "the clerk's latest case" (staff_selectors.intake_desk_default).
            models.Index(fields=["clerk", "submitted_at"], name="case_clerk_latest_idx"),
            # The supervision board reads open cases only (a few per cent of the city's): by
            # deadline for a centre or district, by department and deadline for a department.
            models.Index(
                fields=["due_at"],
                name="case_open_due_idx",
                condition=models.Q(state__in=["accepted", "suspended"]),
            ),
            models.Index(
                fields=["department", "due_at"],
                name="case_open_department_due_idx",
                condition=models.Q(state__in=["accepted", "suspended"]),
            ),
            # The board's counts by light read this index alone (index-only: department,
            # state, deadline and centre are all the counts and the scope need), and a
            # department's page reads its runs in order (state, deadline, number).
            models.Index(
                fields=["department", "state", "due_at", "number", "centre"],
                name="case_open_dept_state_due_idx",
                condition=models.Q(state__in=["accepted", "suspended"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def query_code(self) -> str:
        """The query code in clear, for the receipt and the applicant's SMS only."""
        return crypto.decrypt(self.query_code_encrypted, context=QUERY_CODE_CONTEXT)

    def query_code_set(self, code: str) -> None:
        self.query_code_encrypted = crypto.encrypt(code, context=QUERY_CODE_CONTEXT)
        self.query_code_index = query_code_index(code)

    def permission_scope(self) -> TargetScope:
        departments = {self.department_id}
        departments.update(
            self.tasks.filter(department__isnull=False).values_list("department_id", flat=True)
        )
        return TargetScope(
            department_ids=frozenset(d for d in departments if d is not None),
            centre_id=self.centre_id,
            region_code=self.centre.region.code,
            other_centre_ids=frozenset({self.output_centre_id}) - {self.centre_id},
        )


class MaterialStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    MISSING = "missing", _("Missing")
    FAULTY = "faulty", _("Needs correcting")
    DEFERRED = "deferred", _("To be supplied later (容缺)")


class ReceiveForm(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("material name"), max_length=255)
    necessity = models.CharField(_("necessity"), max_length=1, choices=MaterialNecessity.choices)
    status = models.CharField(_("status"), max_length=16, choices=MaterialStatus.choices)
    receive_form = models.CharField(
        _("received as"), max_length=16, choices=ReceiveForm.choices, blank=True
    )
    copies = models.PositiveSmallIntegerField(_("copies received"), default=0)
    problem = models.CharField(_("what is wrong or missing"), max_length=255, blank=True)
    due_date = models.DateField(_("due by"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    scan = models.FileField(_("scan"), upload_to="cases/materials/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return self.name


class CaseEvent(EventRecord):
    """One move of a case or of one of its tasks: the audit trail and the public timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "CaseTask", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(EventRecord.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class TaskOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN_FOR_SUPPLEMENT = "supplement", _("Send back for papers")


class CaseTask(models.Model):
    """One step of the back-office process, or one department's part of a joint review."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step_order = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("step kind"), max_length=16, choices=StepKind.choices)
    name = models.CharField(_("step name"), max_length=64)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    is_joint = models.BooleanField(_("joint review"), default=False)
    is_lead = models.BooleanField(_("lead department"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=TaskState.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=TaskOutcome.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")
        ordering = ["case", "step_order", "id"]
        indexes = [
            models.Index(fields=["department", "state"]),
            # The department queue: a department's open steps, most urgent first.
            models.Index(
                fields=["department", "due_at"],
                name="task_open_department_due_idx",
                condition=models.Q(state__in=["open", "claimed"]),
            ),
            # A worker's queue (department and role) by deadline, counted from the index
            # alone (state and assignee for "unclaimed" and "mine").
            models.Index(
                fields=["department", "role", "due_at", "state", "assignee"],
                name="task_open_dept_role_due_idx",
                condition=models.Q(state__in=["open", "claimed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"

    def audit_repr(self) -> str:
        """The step as its audit rows store it: the case number first, so that a search of
        the trail by that number finds them (the mover has the case and department loaded)."""
        parts = [self.case.number, self.name]
        if self.department is not None:
            parts.append(self.department.name)
        return " · ".join(parts)


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Papers being completed (补正)")
    HEARING = "hearing", _("Hearing (听证)")
    TESTING = "testing", _("Inspection or testing (检验检测)")
    EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")


class ClockPause(models.Model):
    """A special procedure: the promised clock stops from start to end."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=16, choices=PauseKind.choices)
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    paused_working_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("special procedure")
        verbose_name_plural = _("special procedures")
        ordering = ["case", "started_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseNumberSequence(models.Model):
    """The last number handed out for one prefix (e.g. one day of one district)."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class LookupCounter(models.Model):
    """Failed public progress look-ups of one key in one window (``progress.py``).

    The key is a keyed hash of what is counted (a client address, a case number, or both), so
    the table holds no address or number in clear. It lives in the database, which every
    worker process shares; ``progress.py`` increments it with one ``UPDATE`` (no lost counts
    between processes) and removes rows whose window has ended."""

    key = models.CharField(max_length=64, unique=True)
    window_ends_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("progress look-up counter")
        verbose_name_plural = _("progress look-up counters")
        indexes = [models.Index(fields=["window_ends_at"])]

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.count}"


class CasePaperVia(models.TextChoices):
    WINDOW = "window", _("Scanned at the window")
    ONLINE = "online", _("Uploaded online")
    REUSED = "reused", _("Reused from the applicant's papers, with consent")


class CasePaper(models.Model):
    """An electronic paper of a case (电子材料): one stored file (``papers.Paper``) for one
    entry of the case's checklist. Opened only through the case's authorised, audited views
    (``cases.services.papers``), by the centre and every department with a step on the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="papers")
    material = models.ForeignKey(
        CaseMaterial,
        verbose_name=_("checklist entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="papers",
    )
    paper = models.ForeignKey(
        "papers.Paper", verbose_name=_("file"), on_delete=models.PROTECT, related_name="cases"
    )
    via = models.CharField(_("received"), max_length=16, choices=CasePaperVia.choices)
    # Reused from "my papers": which kept paper, and when the applicant agreed.
    kept_paper = models.ForeignKey(
        "papers.PersonPaper",
        verbose_name=_("reused from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("applicant agreed at"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # A wrong scan set aside by the window (``services.papers.case_paper_remove``): no longer
    # listed or served on the case, kept in the record with who, when and why.
    removed_at = models.DateTimeField(_("set aside at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set aside by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removal_reason = models.CharField(_("reason for setting it aside"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("case paper")
        verbose_name_plural = _("case papers")
        ordering = ["case", "material__order", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.paper_id}"

    def permission_scope(self) -> TargetScope:
        return self.case.permission_scope()

"""Forms of the staff pages: they parse and type what a clerk typed; the rules live in services.

Templates render the fields by hand (keyboard order, compact rows); these classes only clean.
Text fields refuse NUL and other control characters (``core.validation``); line breaks only
in the multi-line ones (reasons, notes, opinions).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.models import IdType
from onewindow.cases.models import MaterialStatus, OutputMethod, ReceiveForm, TaskOutcome
from onewindow.cases.services import MaterialReceipt
from onewindow.catalog.codes import MaterialNecessity
from onewindow.core.validation import MultilineTextField, TextField
from onewindow.workflow import clock

# Days a window usually gives for bringing missing papers (补正); the clerk may change it.
SUPPLEMENT_DAYS_DEFAULT = 5


class IdentifyForm(forms.Form):
    id_type = forms.ChoiceField(
        label=_("Document type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = TextField(label=_("Document number"), max_length=64)


class ChangeChecksForm(forms.Form):
    """What a change of a known applicant's details needs (the service decides which):
    a reason, the identity check of a new name, the confirmation of a new phone."""

    name = TextField(label=_("Name"), max_length=64)
    phone = TextField(label=_("Phone"), max_length=32, required=False)
    address = TextField(label=_("Address"), max_length=255, required=False)
    reason = TextField(label=_("Reason for the change"), max_length=255, required=False)
    identity_check = forms.ChoiceField(
        label=_("Identity check of the new name"),
        choices=[
            ("card_read", _("The ID card's chip was read at this window's reader")),
            ("identity_service", _("Check with the official identity service")),
        ],
        required=False,
    )
    phone_confirmation = forms.ChoiceField(
        label=_("Confirmation of the new phone"),
        choices=[
            ("code", _("Send a code to the registered phone")),
            ("colleague", _("Ask a colleague to approve")),
        ],
        required=False,
    )


class RegisterForm(ChangeChecksForm):
    id_type = forms.ChoiceField(label=_("Document type"), choices=IdType.choices)
    id_number = TextField(label=_("Document number"), max_length=64)


class ChangeCodeForm(forms.Form):
    code = TextField(label=_("Code the applicant received"), max_length=16)


class DeskForm(forms.Form):
    desk = TextField(label=_("Centre and window"))
    item = forms.IntegerField(min_value=1, required=False)  # the item page to go back to

    def clean_desk(self) -> tuple[int, int | None]:
        value: str = self.cleaned_data["desk"]
        centre, _sep, window = value.partition(":")
        try:
            return int(centre), int(window) if window else None
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a centre and window.")) from exc


class MaterialRowForm(forms.Form):
    """One paper of the item's checklist, as the clerk marked it."""

    # Nothing is preselected and an untouched paper is sent as "": the intake service refuses
    # to decide until every paper carries the clerk's mark, and names the unmarked ones.
    status = forms.ChoiceField(label=_("Status"), choices=MaterialStatus.choices, required=False)
    receive_form = forms.ChoiceField(
        label=_("Received as"), choices=ReceiveForm.choices, initial=ReceiveForm.PAPER
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=0, max_value=99, initial=1)
    problem = TextField(label=_("What is wrong"), max_length=255, required=False)
    due_date = forms.DateField(label=_("Due by"), required=False)

    def __init__(self, *args: Any, paper: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paper = paper
        self.fields["copies"].initial = paper.get("paper_copies") or 1
        if paper.get("necessity") != MaterialNecessity.DEFERRABLE:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                c for c in MaterialStatus.choices if c[0] != MaterialStatus.DEFERRED
            ]
        self.application_errors: list[dict[str, Any]] = []

    @property
    def deferrable(self) -> bool:
        return self.paper.get("necessity") == MaterialNecessity.DEFERRABLE

    def value_of(self, name: str) -> Any:
        """What the page shows in a field: what was typed, else the initial value."""
        if self.is_bound:
            return self[name].value()
        return self.fields[name].initial

    def receipt(self) -> MaterialReceipt:
        data = self.cleaned_data
        status = data["status"]
        return MaterialReceipt(
            name=self.paper["name"],
            status=status,
            receive_form=data["receive_form"],
            copies=data["copies"] if data["copies"] is not None else 1,
            problem=data.get("problem") or "",
            due_date=data.get("due_date") if status == MaterialStatus.DEFERRED else None,
        )


def material_forms(papers: list[dict[str, Any]], data: Any = None) -> list[MaterialRowForm]:
    return [
        MaterialRowForm(data, prefix=f"m{index}", paper=paper) for index, paper in enumerate(papers)
    ]


DECISIONS = ("accept", "supplement", "refuse", "instant")


class IntakeDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS])
    idempotency_key = TextField(max_length=64)
    promise_signed = forms.BooleanField(label=_("Signed promise (承诺书) received"), required=False)
    output_method = forms.ChoiceField(
        label=_("Result handed over by"), choices=OutputMethod.choices, initial=OutputMethod.WINDOW
    )
    deadline = forms.DateField(label=_("Papers due by"), required=False)
    reasons = MultilineTextField(label=_("Reasons for not accepting"), required=False)
    note = MultilineTextField(label=_("Note for the applicant"), required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "supplement" and not data.get("deadline"):
            self.add_error("deadline", _("Say by when the papers must be brought."))
        if data.get("decision") == "refuse" and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Write the reasons for not accepting."))
        return data


def supplement_deadline_default(now: dt.datetime | None = None) -> dt.date:
    """Five working days from today on the working calendar: the hall is open that day (a date
    counted in natural days fell on a Sunday or a holiday)."""
    start = now or timezone.now()
    due = clock.due_after(start, SUPPLEMENT_DAYS_DEFAULT, clock.TimeUnit.WORKING_DAY)
    return timezone.localtime(due).date()


class TaskActionForm(forms.Form):
    outcome = forms.ChoiceField(choices=TaskOutcome.choices)
    opinion = MultilineTextField(label=_("Opinion"), required=False, max_length=4000)
    revision = forms.IntegerField(min_value=1)


class ClaimForm(forms.Form):
    revision = forms.IntegerField(min_value=1, required=False)


class PapersArrivedForm(forms.Form):
    papers = forms.MultipleChoiceField(label=_("Papers that arrived"), required=False)
    revision = forms.IntegerField(min_value=1)

    def __init__(self, *args: Any, names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["papers"].choices = [  # type: ignore[attr-defined]
            (name, name) for name in names
        ]


class OutputFindForm(forms.Form):
    """The output desk's search: a case number, or the collector's ID card (an audited look-up)."""

    q = TextField(label=_("Case number or ID card number"), max_length=64)
    id_type = forms.ChoiceField(
        label=_("Document type"),
        choices=[("", _("Case number or resident ID card")), *IdType.choices],
        required=False,
    )


class DeliverForm(forms.Form):
    method = forms.ChoiceField(choices=OutputMethod.choices, initial=OutputMethod.WINDOW)
    collector_id_checked = forms.BooleanField(required=False)
    proxy_authorisation = forms.BooleanField(required=False)
    tracking_number = TextField(required=False, max_length=64)
    note = MultilineTextField(required=False, max_length=1000)
    revision = forms.IntegerField(min_value=1)


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A bound form's errors by field name, as plain strings for the templates."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}

"""The forms of the knowledge base's staff pages. They parse and check the shape of a request
(control characters, lengths, a known choice); the services check everything again and own
the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed, bilingual
from onewindow.core.validation import DAY_MAX, DAY_MIN, MultilineTextField, TextField
from onewindow.knowledge.codes import ArticleKind, ArticleState
from onewindow.knowledge.models import BODY_MAX, KEYWORDS_MAX, NOTE_MAX, TITLE_MAX
from onewindow.org.models import Department

QUERY_MAX = 200


class ArticleTextForm(forms.Form):
    title = TextField(label=_("Title"), max_length=TITLE_MAX)
    keywords = TextField(label=_("Search keywords"), max_length=KEYWORDS_MAX, required=False)
    body = MultilineTextField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 12})
    )
    note = TextField(label=_("Note on the change"), max_length=NOTE_MAX, required=False)

    def add_service_errors(self, exc: ValidationFailed) -> None:
        for error in exc.errors:
            text = bilingual(error.message, **error.params)
            target = error.field if error.field in self.fields else None
            self.add_error(target, f"{text['zh']} / {text['en']}")


class ArticleCreateForm(ArticleTextForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("None (city-wide)"),
    )
    review_due = forms.DateField(
        label=_("Review due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    field_order = ["kind", "department", "title", "keywords", "body", "review_due", "note"]

    def __init__(self, *args: Any, departments: Any, city_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments
        if not city_wide:
            field.required = True
            field.empty_label = None


class ArticleReviseForm(ArticleTextForm):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=10**9)


class ReviewConfirmForm(forms.Form):
    next_due = forms.DateField(label=_("Next review"), required=False)

    def clean_next_due(self) -> Any:
        value = self.cleaned_data.get("next_due")
        if value is not None and not DAY_MIN <= value <= DAY_MAX:
            raise forms.ValidationError(_("Give a date between 2000-01-01 and 2099-12-31."))
        return value


class ArticleFilterForm(forms.Form):
    """The list page's search box and filters; malformed values are ignored (unbound)."""

    q = TextField(label=_("Search"), max_length=QUERY_MAX, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *ArticleKind.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *ArticleState.choices], required=False
    )
    department = forms.IntegerField(
        label=_("Department"), required=False, min_value=1, max_value=10**9
    )
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)

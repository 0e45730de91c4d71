"""The staff shell's pages: sign-in, sign-out, the workstation home, and moved addresses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_safe

from onewindow.core.audit import audit_record
from onewindow.core.errors import bilingual
from onewindow.staff.decorators import staff_page
from onewindow.staff.home import home_page
from onewindow.staff.sign_in import StaffSignInForm, client_address


class StaffSignInView(LoginView):
    """The staff sign-in page. Afterwards: the ``next`` page when it is on this site (Django
    checks host and scheme), the workstation home otherwise. A signed-in user is sent on."""

    template_name = "staff/sign_in.html"
    authentication_form = StaffSignInForm
    redirect_authenticated_user = True
    next_page = "staff:home"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.get_user(),
            action="staff.sign_in",
            obj=form.get_user(),
            detail={"address": client_address(self.request)},
        )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        # Each refusal in Chinese and in English, whatever language the page is in.
        context["sign_in_errors"] = [
            bilingual(error.message, **(error.params or {}))
            for error in form.non_field_errors().as_data()
        ]
        return context


class StaffSignOutView(LogoutView):
    """Sign out (POST only, as Django requires) and come back to the sign-in page."""

    next_page = "staff:sign_in"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            audit_record(actor=user, action="staff.sign_out", obj=user)
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


sign_in = StaffSignInView.as_view()
sign_out = StaffSignOutView.as_view()


@staff_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A card for every workstation the user's roles open; a notice when there is none."""
    return home_page(request)


@require_safe
def moved(request: HttpRequest, rest: str, old: str, new: str) -> HttpResponse:
    """A page that moved from ``old`` to ``new`` (both without the language prefix, e.g.
    ``staff/`` → ``staff/cases/``): the same page at its new address, query string kept.

    The target is built from this request's own path, so it always stays on this site.
    """
    head = request.path[: len(request.path) - len(old + rest)]
    target = f"{head}{new}{rest}"
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)

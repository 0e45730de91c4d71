from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "onewindow.staff"
    label = "staff"
    verbose_name = _("Staff workstations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from onewindow.staff.checks import second_factor_roles_are_known
        from onewindow.staff.sessions import start_on_sign_in

        user_logged_in.connect(start_on_sign_in, dispatch_uid="staff.session_start")
        checks.register(second_factor_roles_are_known)

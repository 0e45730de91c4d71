"""The staff shell, mounted at ``/staff/``: home, sign-in and sign-out. The apps mount their
own staff pages beside it (``/staff/cases/…``, ``/staff/catalog/…``)."""

from django.urls import path

from onewindow.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
]

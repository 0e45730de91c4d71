from django.urls import path

from onewindow.cases import views_public

app_name = "cases_public"
urlpatterns = [
    path("progress/", views_public.progress, name="progress"),
]

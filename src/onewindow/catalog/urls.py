from django.urls import path

from onewindow.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("departments/<int:department_id>/", views.department_items, name="department"),
    path("topics/<str:code>/", views.topic_items, name="topic"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("power-list/", views.power_list, name="power_list"),
]

"""Addresses of the knowledge base, mounted by ``config/urls.py``.

``staff_urls`` (namespace ``knowledge_staff``, under ``/staff/knowledge/``): the list with its
search and filters, one article with its versions, the create and edit forms, the moves
(publish, retire, confirm the review), and the suggestion fragment the hotline's intake page
asks for while the agent types (``suggest/?q=``).
"""

from django.urls import path

from onewindow.knowledge.views import staff

staff_urls = (
    [
        path("", staff.article_list_page, name="list"),
        path("new/", staff.article_new, name="new"),
        path("suggest/", staff.suggest, name="suggest"),
        path("<int:article_id>/", staff.article_page, name="article"),
        path("<int:article_id>/edit/", staff.article_edit, name="edit"),
        path("<int:article_id>/do/<str:move>/", staff.article_move, name="move"),
    ],
    "knowledge_staff",
)

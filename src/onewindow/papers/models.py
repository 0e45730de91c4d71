"""Electronic papers (电子材料): a file kept once, pointed at by a case's paper
(``cases.CasePaper``) and by a person's "my papers" (``PersonPaper``).

A ``Paper`` row describes one stored file: the type decided by its content, its size, pages and
pixels, the SHA-256 of the kept bytes (and of the bytes as uploaded), and the storage names of
the file and its thumbnail. The files sit in the default storage under ``MEDIA_ROOT/papers/``
under random names, encrypted with the personal-data keys (``core.crypto.encrypt_bytes``, the
storage name bound as associated data); nothing serves ``MEDIA_ROOT`` by URL. Rows are written
only by ``services.paper_store``; a file is read only by ``services.paper_bytes``, which the
callers' authorised and audited views call.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class PaperSource(models.TextChoices):
    WINDOW = "window", _("Scanned or uploaded at a window")
    ONLINE = "online", _("Uploaded online by the applicant")
    DEMO = "demo", _("Made by the demo city")


class Paper(models.Model):
    content_type = models.CharField(_("type"), max_length=32, choices=PaperType.choices)
    original_name = models.CharField(_("file name as uploaded"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    width = models.PositiveIntegerField(_("width in pixels"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height in pixels"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the kept file"), max_length=64, db_index=True)
    upload_sha256 = models.CharField(_("SHA-256 of the file as uploaded"), max_length=64)
    file_name = models.CharField(_("storage name"), max_length=200, unique=True, editable=False)
    thumbnail_name = models.CharField(
        _("thumbnail storage name"), max_length=200, blank=True, editable=False
    )
    thumbnail_type = models.CharField(_("thumbnail type"), max_length=32, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=PaperSource.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("electronic paper")
        verbose_name_plural = _("electronic papers")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_content_type_display()} {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type != PaperType.PDF


class PersonPaper(models.Model):
    """A paper a person gave before and agreed to keep for later applications ("my papers":
    an ID card copy, a household register), which a new case may reuse with their consent."""

    person = models.ForeignKey(
        "applicants.Person", on_delete=models.CASCADE, related_name="kept_papers"
    )
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="kept_by")
    label = models.CharField(_("what the paper is"), max_length=255)
    kept_at = models.DateTimeField(_("kept since"), auto_now_add=True)
    # The person's agreement to keep it, as recorded (by whom, how): see services.
    consent_note = models.CharField(_("consent recorded"), max_length=255)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kept paper of a person")
        verbose_name_plural = _("kept papers of persons")
        ordering = ["person", "label", "-kept_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "paper"], name="person_paper_once")
        ]

    def __str__(self) -> str:
        return self.label

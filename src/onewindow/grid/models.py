"""Unit grids (单元网格, GB/T 30428.1): the smallest area a grid worker patrols, inside one
community, with its polygon; and the boundaries of streets and communities from the same
import. Geometry is GeoJSON kept as JSON, with its bounding box in four indexed columns so
that "which grid holds this point" asks the database for a handful of candidates and shapely
decides (``grid.geometry``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import TargetScope

# 6-digit county + 3 street + 3 community + 2 sequence (GB/T 30428.1 unit grid code).
GRID_CODE_LENGTH = 14


class Grid(models.Model):
    code = models.CharField(_("grid code"), max_length=GRID_CODE_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=64)
    community = models.ForeignKey(
        "org.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
    )
    # A GeoJSON geometry (Polygon or MultiPolygon), longitude/latitude (WGS 84 or GCJ-02, as
    # the district's own data is; the platform never mixes them with anyone's tiles).
    geometry = models.JSONField(_("boundary (GeoJSON)"))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    # A point inside the polygon (shapely's representative point), for labels and map pins.
    label_lon = models.FloatField(editable=False)
    label_lat = models.FloatField(editable=False)
    area_m2 = models.FloatField(_("area (m²)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="grid_bbox_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def community_code(self) -> str:
        return self.code[:12]

    def permission_scope(self) -> TargetScope:
        return TargetScope(region_code=self.community_code)


class Boundary(models.Model):
    """The outline of a street or a community (org.Region), imported with the grids."""

    region = models.OneToOneField(
        "org.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="boundary",
    )
    geometry = models.JSONField(_("boundary (GeoJSON)"))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)

    class Meta:
        verbose_name = _("region boundary")
        verbose_name_plural = _("region boundaries")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return str(self.region)


class GridPost(models.Model):
    """A grid worker (网格员 / 监督员) posted to a grid: the grids they patrol, report from and
    check in. One worker may hold several grids; one grid may have several workers."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="posts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.CASCADE,
        related_name="grid_posts",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid post")
        verbose_name_plural = _("grid posts")
        ordering = ["grid", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "user"],
                condition=models.Q(until__isnull=True),
                name="grid_post_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.user_id}"

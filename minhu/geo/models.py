from django.db import models

from minhu.org.models import Unit


class Boundary(models.Model):
    """The area a territorial unit covers, as a GeoJSON Polygon or MultiPolygon geometry
    (longitude, latitude in WGS 84), used to place a request from its coordinates."""

    unit = models.OneToOneField(Unit, verbose_name="单位", on_delete=models.CASCADE,
                                related_name="boundary")
    geojson = models.TextField("边界（GeoJSON）")
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = "辖区边界"
        verbose_name_plural = "辖区边界"

    def __str__(self) -> str:
        return f"{self.unit.name}边界"

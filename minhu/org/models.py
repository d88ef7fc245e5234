from django.db import models

from .kinds import TERRITORIAL_LEVELS, PlaceKind, UnitKind


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """One node of the organisation tree: the centre, a sub-centre, a district, street,
    community or grid, a department or a public-service company.

    ``path`` is the materialised chain of codes ("/YZ/DC/DC-DH/") so that "this unit and
    everything under it" is one indexed prefix query.
    """

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # A sub-centre dispatches within one district (嘉峪关: 1 platform + 3 sub-centres).
    serves = models.ForeignKey(
        "self", verbose_name="服务辖区", null=True, blank=True, on_delete=models.PROTECT,
        related_name="sub_centres", limit_choices_to={"kind": UnitKind.DISTRICT},
    )
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "组织机构"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_LEVELS

    def ancestors(self) -> list["Unit"]:
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def territorial_ancestor(self, kind: str) -> "Unit | None":
        if self.kind == kind:
            return self
        return next((u for u in self.ancestors() if u.kind == kind), None)


class Place(models.Model):
    """A named place citizens mention: a compound, a building in it, a road, a landmark.
    Each belongs to a community (and usually a grid), which gives its jurisdiction."""

    name = models.CharField("名称", max_length=100, db_index=True)
    aliases = models.CharField("别名", max_length=300, blank=True, help_text="以逗号分隔")
    kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="所属小区", null=True, blank=True, on_delete=models.CASCADE,
        related_name="children",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    community = models.ForeignKey(
        Unit, verbose_name="社区/村", on_delete=models.PROTECT, related_name="places",
    )
    grid = models.ForeignKey(
        Unit, verbose_name="网格", null=True, blank=True, on_delete=models.PROTECT,
        related_name="grid_places",
    )
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)

    class Meta:
        verbose_name = "地点"
        verbose_name_plural = "地点（小区/楼栋/道路）"

    def __str__(self) -> str:
        return f"{self.parent.name}{self.name}" if self.parent_id else self.name

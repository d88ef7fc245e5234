import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices

from .roles import Role


class User(AbstractUser):
    """A member of staff; ``unit`` is where they work (centre, sub-centre or handling unit)."""

    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(r in self.roles for r in roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role.label_of(r) for r in sorted(self.roles)]


class Scope(Choices):
    """What a machine credential may do. A token carries one or more scopes; each
    endpoint family asks for its own, so a partner's key cannot drive the staff API."""

    API = "api", _("工作人员 API（与账号权限相同）")
    INTAKE = "intake", _("合作方登记与查询诉求")
    OPEN311 = "open311", _("Open311 GeoReport v2")
    PROVINCE = "province", _("省级平台交换")
    CTI = "cti", _("话务系统（来电弹屏、通话记录）")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user: User, name: str, scopes=(Scope.API,)) -> tuple["ApiToken", str]:
        """Create a token; the clear key is returned once and never stored."""
        unknown = [s for s in scopes if s not in Scope.values]
        if unknown or not scopes:
            raise ValueError(f"unknown token scopes: {unknown or 'none given'}")
        key = "mh_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key),
                            scopes=sorted(set(scopes)))
        return token, key

    def authenticate(self, key: str, scope: str = Scope.API) -> "ApiToken | None":
        """The live token with this key, if it carries ``scope``; otherwise None (a key
        of the wrong kind looks exactly like a wrong key)."""
        if not key or len(key) > 200:
            return None
        token = (
            self.select_related("user", "user__unit")
            .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None or scope not in (token.scopes or []):
            return None
        return token


class ApiToken(models.Model):
    """A machine credential for the HTTP API, bound to a staff account (least privilege:
    the token can do what that account can do, nothing more)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField("权限范围", default=list, blank=True,
                              help_text="api、intake、open311、province、cti 中的一项或多项")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

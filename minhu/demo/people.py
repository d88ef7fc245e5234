"""The demo city's staff: named accounts for every role, plus a handler and a leader for
every street, district, department, bureau and public-service company.

Every account's password is ``PASSWORD``. Usernames follow the unit code: ``dc01_handler``
and ``dc01_leader`` for 东城区文昌街道 (DC01), ``cgj_handler`` for 市城市管理局 (CGJ),
``dc_cgj_handler`` for 东城区城市管理局 (DC-CGJ), ``dc_dispatcher`` for 东城区分中心.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.accounts.setup import ensure_role_groups

from .geography import (
    CENTRE_NAME,
    DEPARTMENTS,
    DISTRICT_BUREAUS,
    DISTRICTS,
    FIXED_COMMUNITIES,
    SUB_CENTRE_DISTRICTS,
    UTILITIES,
    Geography,
)

PASSWORD = "minhu12345"


class DemoAccount(NamedTuple):
    username: str
    role: str  # the role's Chinese label
    unit: str  # the unit's name, with its district where that helps


class _Spec(NamedTuple):
    username: str
    display_name: str
    role: Role
    unit_code: str


# The 12345 centre's own staff: username, name, role.
_CENTRE_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("agent1", "王芳", Role.AGENT),
    ("agent2", "刘洋", Role.AGENT),
    ("agent3", "陈静", Role.AGENT),
    ("dispatcher1", "李强", Role.DISPATCHER),
    ("dispatcher2", "赵敏", Role.DISPATCHER),
    ("supervisor1", "孙伟", Role.SUPERVISOR),
    ("callback1", "周丽", Role.CALLBACK_AGENT),
    ("callback2", "吴娜", Role.CALLBACK_AGENT),
    ("leader1", "郑国华", Role.ANALYST),
    ("admin", "系统管理员", Role.ADMIN),
    # External evaluators (两代表一委员) are not centre staff, but the centre hosts their
    # accounts so they can review closed orders city-wide.
    ("evaluator1", "钱明", Role.EVALUATOR),
)
_SUB_CENTRE_DISPATCHERS = {"DC": "马骏", "XH": "胡佳", "NS": "林涛"}
# Named accounts at the first street, community and grid of 东城区, and a few departments.
_NAMED_UNIT_STAFF: tuple[tuple[str, str, Role, str], ...] = (
    ("dc01_handler", "张伟", Role.UNIT_HANDLER, "DC01"),
    ("dc01_leader", "刘建国", Role.UNIT_LEADER, "DC01"),
    ("dc0101_handler", "陈晓燕", Role.UNIT_HANDLER, "DC0101"),
    ("dc0101_leader", "黄秀英", Role.UNIT_LEADER, "DC0101"),
    ("dc010101_handler", "杨磊", Role.UNIT_HANDLER, "DC010101"),
    ("dc_handler", "徐明", Role.UNIT_HANDLER, "DC"),
    ("dc_leader", "何志强", Role.UNIT_LEADER, "DC"),
    ("cgj_handler", "高飞", Role.UNIT_HANDLER, "CGJ"),
    ("cgj_leader", "罗德华", Role.UNIT_LEADER, "CGJ"),
    ("hbj_handler", "梁静", Role.UNIT_HANDLER, "HBJ"),
    ("water_handler", "宋涛", Role.UNIT_HANDLER, "WATER"),
    ("water_leader", "唐建军", Role.UNIT_LEADER, "WATER"),
    ("dc_cgj_handler", "韩冰", Role.UNIT_HANDLER, "DC-CGJ"),
)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌波宁晨浩凯鹏燕"
    "莉琳婷雪梅亮峰坤雯倩欣怡子轩宇佳慧颖俊海"
)


def _username(code: str, role: Role) -> str:
    suffix = "leader" if role == Role.UNIT_LEADER else "handler"
    return f"{code.lower().replace('-', '_')}_{suffix}"


def _role_label(role: Role) -> str:
    return str(role.label)


def _unit_label(code: str) -> str:
    """Human name of a demo unit known without the database (for DEMO_ACCOUNTS)."""
    if code == "YZ12345":
        return CENTRE_NAME
    by_code = {c: n for c, n, _ in (*DEPARTMENTS, *UTILITIES)}
    if code in by_code:
        return by_code[code]
    district = next(d for d in DISTRICTS if code.startswith(d.code))
    if code == district.code:
        return district.name
    if code.endswith("-FZX"):
        return f"{district.name}12345分中心"
    if "-" in code:
        key = code.split("-", 1)[1]
        return district.name + next(n for k, n, _ in DISTRICT_BUREAUS if k == key)
    street = district.streets[int(code[2:4]) - 1]
    if len(code) == 4:
        return district.name + street
    community = FIXED_COMMUNITIES[code[:6]] + ("村" if district.rural else "社区")
    if len(code) == 6:
        return district.name + street + community
    return f"{district.name}{street}{community}第{int(code[6:8])}网格"


def _named_specs() -> list[_Spec]:
    specs = [_Spec(u, n, r, "YZ12345") for u, n, r in _CENTRE_STAFF]
    specs += [_Spec(f"{code.lower()}_dispatcher", _SUB_CENTRE_DISPATCHERS[code], Role.DISPATCHER,
                    f"{code}-FZX") for code in SUB_CENTRE_DISTRICTS]
    specs += [_Spec(*row) for row in _NAMED_UNIT_STAFF]
    return specs


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(s.username, _role_label(s.role), _unit_label(s.unit_code))
    for s in _named_specs()
]


class _NameMaker:
    """Plausible Chinese names, deterministic and distinct from each other."""

    def __init__(self, seed: int, taken: set[str]):
        self.rng = random.Random(seed)
        self.taken = set(taken)

    def __call__(self) -> str:
        while True:
            given = "".join(self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(_SURNAMES) + given
            if name not in self.taken:
                self.taken.add(name)
                return name


def _all_specs(geo: Geography) -> list[_Spec]:
    specs = _named_specs()
    seen = {s.username for s in specs}
    make_name = _NameMaker(12345, {s.display_name for s in specs})

    def add(unit_code: str, role: Role) -> None:
        username = _username(unit_code, role)
        if username not in seen:
            seen.add(username)
            specs.append(_Spec(username, make_name(), role, unit_code))

    # A handler and a leader for every handling unit above the community level.
    handling = [*geo.districts, *geo.streets, *geo.departments.values(),
                *geo.utilities.values(), *geo.district_bureaus.values()]
    for unit in handling:
        add(unit.code, Role.UNIT_HANDLER)
        add(unit.code, Role.UNIT_LEADER)
    # The named communities (one per district) and their first grid get a handler each.
    for code in FIXED_COMMUNITIES:
        add(code, Role.UNIT_HANDLER)
        add(f"{code}01", Role.UNIT_HANDLER)
    return specs


@transaction.atomic
def build_people(geo: Geography) -> dict[str, User]:
    """Create the demo staff (accounts that already exist are left as they are) and
    return every demo account by username."""
    ensure_role_groups()
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    specs = _all_specs(geo)
    existing = {u.username: u for u in User.objects.filter(username__in=[s.username
                                                                          for s in specs])}
    password = make_password(PASSWORD)  # hashing is slow on purpose: do it once
    new_users: list[User] = []
    new_roles: list[tuple[User, Role]] = []
    for i, spec in enumerate(specs, start=1):
        if spec.username in existing:
            continue
        is_admin = spec.role == Role.ADMIN
        user = User(
            username=spec.username, password=password, display_name=spec.display_name,
            phone=f"1380570{i:04d}", unit=geo.unit(spec.unit_code),
            is_staff=is_admin, is_superuser=is_admin,
        )
        new_users.append(user)
        new_roles.append((user, spec.role))
    User.objects.bulk_create(new_users)
    Membership = User.groups.through
    Membership.objects.bulk_create([
        Membership(user_id=user.pk, group_id=groups[role.value].pk) for user, role in new_roles
    ])
    return {**existing, **{u.username: u for u in new_users}}

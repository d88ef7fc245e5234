"""`minhu order`: the closed loop from the command line, through the same operations as
the HTTP API.

    minhu order register --as agent1 content="路灯不亮" request_type=complaint community=DC0101
    minhu order dispatch YZ20261121000001 --as dispatcher1 lead_unit=DC01 co_units=CGJ,HBJ
    minhu order show YZ20261121000001 --as dispatcher1
    minhu order list --as dc01_handler state=dispatched,handling
"""

import json
import typing

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from pydantic import ValidationError

from minhu.accounts.models import User
from minhu.core.errors import MinhuError
from minhu.orders import transitions
from minhu.orders.access import access_order, citizen_view
from minhu.orders.operations import OPERATIONS, RegisterIn, register
from minhu.orders.states import AssignmentRole, AssignmentState, State


def _parse_pairs(pairs: list[str], schema) -> dict:
    data = {}
    for pair in pairs:
        if "=" not in pair:
            raise CommandError(f"参数应写成 字段=值：{pair}")
        key, raw = pair.split("=", 1)
        field = schema.model_fields.get(key)
        if field is None:
            known = "、".join(schema.model_fields)
            raise CommandError(f"未知字段 {key}，可用字段：{known}")
        is_list = typing.get_origin(field.annotation) is list
        if is_list and not raw.startswith("["):
            data[key] = [x for x in raw.split(",") if x]
            continue
        try:
            value = json.loads(raw)
            data[key] = raw if isinstance(value, (int, float)) and field.annotation is str \
                else value
        except json.JSONDecodeError:
            data[key] = raw
    try:
        return schema(**data)
    except ValidationError as exc:
        lines = [f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise CommandError("参数不正确：\n" + "\n".join(lines))


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"


class Command(BaseCommand):
    help = "工单操作：register / list / show / " + " / ".join(OPERATIONS)

    def create_parser(self, prog_name, subcommand, **kwargs):
        # "--as agent1" may stand anywhere among the field=value pairs (as in the examples
        # above); plain argparse would stop collecting pairs at the first option.
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.parse_args = parser.parse_intermixed_args
        return parser

    def add_arguments(self, parser):
        parser.add_argument("action", help="register、list、show 或操作名")
        parser.add_argument("rest", nargs="*", help="工单编号（操作与 show 需要）及 字段=值")
        parser.add_argument("--as", dest="username", required=True, help="以哪个账号操作")

    def handle(self, action, rest, username, **options):
        user = User.objects.select_related("unit").filter(username=username,
                                                          is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用")
        try:
            if action == "register":
                order, created = register(user, _parse_pairs(rest, RegisterIn))
                self.stdout.write(("已登记 " if created else "已存在 ") + order.number)
                return
            if action == "list":
                return self._list(user, rest)
            if not rest:
                raise CommandError("请提供工单编号")
            number, pairs = rest[0], rest[1:]
            order = access_order(user, number)
            if action == "show":
                return self._show(user, order)
            op = OPERATIONS.get(action)
            if op is None:
                raise CommandError(f"未知操作 {action}，可用：{'、'.join(OPERATIONS)}")
            result = op.run(order, user, _parse_pairs(pairs, op.schema))
            self.stdout.write(f"{op.summary}成功：{result.number} 现为“"
                              f"{State.label_of(result.state)}”")
        except MinhuError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}")

    def _list(self, user, pairs):
        from minhu.orders.models import WorkOrder

        filters = dict(p.split("=", 1) for p in pairs if "=" in p)
        qs = WorkOrder.objects.visible_to(user).select_related("lead_unit", "category")
        if "state" in filters:
            qs = qs.filter(state__in=filters["state"].split(","))
        for o in qs.order_by("-created_at")[: int(filters.get("limit", 20))]:
            flag = "超期" if o.is_overdue else ("黄灯" if o.is_yellow else "")
            self.stdout.write(f"{o.number}  {State.label_of(o.state):<6} "
                              f"{(o.lead_unit.name if o.lead_unit else '—'):<12} "
                              f"{_local(o.due_at)} {flag}  {o.content[:24]}")

    def _show(self, user, order):
        who = citizen_view(user, order)
        w = self.stdout.write
        w(f"工单 {order.number}  [{State.label_of(order.state)}]  "
          f"渠道 {order.get_channel_display()}")
        w(f"诉求人 {who['name']} {who['phone']}   类型 {order.request_type.name}  "
          f"分类 {order.category or '—'}  紧急程度 {order.urgency.name}")
        w(f"地点 {order.address or '—'}  {order.street or ''}{order.community or ''}")
        w(f"内容 {order.content}")
        w(f"期限 {_local(order.due_at)}  黄灯 {order.is_yellow}  超期 {order.is_overdue}  "
          f"重办 {order.reopen_count} 次")
        for a in order.assignments.select_related("unit").order_by("pk"):
            w(f"  承办 {a.unit.name} {AssignmentRole.label_of(a.role)} "
              f"{AssignmentState.label_of(a.state)} 签收 {_local(a.signed_at)}")
        w("时间线：")
        for e in order.events.select_related("actor", "target_unit").order_by("seq"):
            arrow = (f"{State.label_of(e.from_state)}→{State.label_of(e.to_state)}"
                     if e.from_state != e.to_state else "")
            target = f" → {e.target_unit.name}" if e.target_unit else ""
            w(f"  {e.seq:>3} {_local(e.at)} {transitions.label(e.action)}{target} "
              f"{arrow} {e.actor or '系统'} {e.note[:40]}")

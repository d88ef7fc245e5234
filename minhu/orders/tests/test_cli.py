"""The `minhu order` command: the loop from the command line, and clear refusals."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("order", *args, stdout=out)
    return out.getvalue()


def test_an_order_is_registered_dispatched_and_shown_from_the_command_line(city):
    out = run("register", "--as", "agent1", "content=路灯不亮", "request_type=complaint",
              "community=DC0101")
    number = out.split()[-1]
    assert out.startswith("已登记")
    assert "现为“待签收”" in run("dispatch", number, "--as", "dispatcher1", "lead_unit=DC01",
                              "co_units=CGJ")
    shown = run("show", number, "--as", "dispatcher1")
    assert "派单 → 文昌街道" in shown and "路灯不亮" in shown


@pytest.mark.parametrize("args, message", [
    (("register", "--as", "agent1", "content="), "参数不正确"),
    (("register", "--as", "agent1", "content=" + "噪" * 5001), "参数不正确"),
    (("register", "--as", "agent1", "colour=red"), "未知字段"),
    (("register", "--as", "agent1", "content"), "字段=值"),
    (("register", "--as", "nobody", "content=x"), "不存在"),
    (("sign", "YZ" + "9" * 500, "--as", "dc01_handler"), "not_found"),
    (("fly", "YZ1", "--as", "agent1"), "not_found"),
    (("register", "--as", "agent1", "content=<script>alert(1)</script>",
      "request_type=nope"), "unknown_requesttype"),
])
def test_bad_input_on_the_command_line_is_a_clear_error(city, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_unit_cannot_act_on_another_units_order_from_the_command_line(city, dispatched_order):
    order = dispatched_order(lead="DC01")
    with pytest.raises(CommandError, match="not_found"):
        run("sign", order.number, "--as", "dc02_handler")

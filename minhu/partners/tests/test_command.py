from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minhu.accounts.models import ApiToken, Scope
from minhu.partners.models import Partner


def run(*args) -> str:
    out = StringIO()
    call_command("partner", *args, stdout=out)
    return out.getvalue()


def test_an_operator_adds_a_partner_with_a_webhook_and_issues_a_key(city):
    out = run("add", "yz-hotline-water", "--name", "自来水热线", "--channel", "hotline",
              "--webhook", "https://water.example.cn/hooks/minhu")
    partner = Partner.objects.get(code="yz-hotline-water")
    assert partner.channel == "hotline" and partner.account.username == "partner-yz-hotline-water"
    assert partner.endpoint.url == "https://water.example.cn/hooks/minhu"
    assert partner.endpoint.secret in out
    key = run("issue-key", "yz-hotline-water").splitlines()[1]
    token = ApiToken.objects.authenticate(key, Scope.INTAKE)
    assert token.user == partner.account
    assert ApiToken.objects.authenticate(key, Scope.API) is None
    listing = run("list")
    assert "yz-hotline-water" in listing and "自来水热线" in listing


def test_adding_a_partner_twice_or_with_a_bad_code_is_refused(city):
    run("add", "yz-wxapp", "--name", "小程序", "--channel", "wechat")
    with pytest.raises(CommandError, match="已存在"):
        run("add", "yz-wxapp", "--name", "小程序", "--channel", "wechat")
    with pytest.raises(CommandError, match="小写字母"):
        run("add", "微信:app", "--name", "小程序", "--channel", "wechat")


def test_a_key_for_an_unknown_partner_is_refused(city):
    with pytest.raises(CommandError, match="不存在"):
        run("issue-key", "nobody")


def test_a_partner_may_never_be_given_the_staff_api_scope(city):
    run("add", "yz-dept", "--name", "部门系统", "--channel", "partner")
    Partner.objects.filter(code="yz-dept").update(scopes=["intake", "api"])
    with pytest.raises(CommandError, match="工作人员 API"):
        run("issue-key", "yz-dept")

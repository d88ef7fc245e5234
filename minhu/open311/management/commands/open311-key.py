"""`minhu open311-key CLIENT_NAME`: an api_key for an Open311 client (a city app, a
partner's reporting tool). Each client gets its own service account, so the timeline
shows which client registered an order; the key carries only the open311 scope."""

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from minhu.accounts.models import ApiToken, Scope
from minhu.accounts.roles import Role
from minhu.intake.actions import service_account


def account_for(client_name: str):
    slug = slugify(client_name)[:40] or hashlib.sha256(client_name.encode()).hexdigest()[:12]
    return service_account(f"open311_{slug}", f"Open311：{client_name}"[:64], roles=(Role.AGENT,))


class Command(BaseCommand):
    help = "为 Open311 接入方签发 api_key（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("client_name", help="接入方名称，如“市民随手拍 App”")

    def handle(self, client_name, **options):
        name = (client_name or "").strip()
        if not name or len(name) > 60:
            raise CommandError("请提供接入方名称（1 到 60 个字）")
        user = account_for(name)
        token, key = ApiToken.objects.issue(user, f"Open311 {name}", [Scope.OPEN311])
        self.stdout.write(f"已为 Open311 接入方“{name}”（服务账号 {user.username}）签发 api_key"
                          f"（前缀 {token.prefix}）：")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING(
            "api_key 只显示这一次；提交诉求时作为表单字段 api_key 发送"))

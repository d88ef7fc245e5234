"""`minhu issue-token USERNAME --name NAME`: a new API token for a staff account.

The clear key is printed once and only its hash is stored; a lost key cannot be shown
again, only revoked (admin site) and replaced by a new one.
"""

from django.core.management.base import BaseCommand, CommandError

from minhu.accounts.models import ApiToken, Scope, User


class Command(BaseCommand):
    help = "为工作人员账号签发 API 令牌（令牌只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号用户名，令牌的权限与该账号相同")
        parser.add_argument("--name", required=True,
                            help="令牌用途，如“微信小程序接入”“回访外呼系统”（最多 100 字）")
        parser.add_argument("--scope", action="append", dest="scopes", default=None,
                            choices=Scope.values,
                            help="权限范围，可重复；默认 api（与账号权限相同的工作人员 API）")

    def handle(self, username, name, scopes=None, **options):
        name = (name or "").strip()
        if not name:
            raise CommandError("请用 --name 说明令牌用途")
        if len(name) > 100:
            raise CommandError("令牌用途过长（最多 100 字）")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        if not user.is_active:
            raise CommandError(f"账号 {username} 已停用，不能签发令牌")
        token, key = ApiToken.objects.issue(user, name, scopes or [Scope.API])
        scopes = "、".join(token.scopes)
        self.stdout.write(f"已为 {user}（{user.username}）签发令牌“{name}”"
                          f"（前缀 {token.prefix}，范围 {scopes}）：")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING(
            "令牌只显示这一次，请立即妥善保存；调用时使用请求头 Authorization: Bearer <令牌>"))

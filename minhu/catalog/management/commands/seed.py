from django.core.management.base import BaseCommand

from minhu.catalog.seed import seed_reference_data
from minhu.workcal.seed import seed_from_package


class Command(BaseCommand):
    help = (
        "补齐基础数据（诉求类型、紧急程度与时限、回访评价维度、平台参数、诉求分类）"
        "和 chinese_calendar 自带的法定节假日。只新增缺少的记录，不改动已有记录；"
        "在后台删除的节假日会被重新补上。"
    )

    def handle(self, *args, **options):
        for label, count in seed_reference_data().items():
            if count is None:
                self.stdout.write(f"{label}：未找到分类种子模块，已跳过")
            else:
                self.stdout.write(f"{label}：新增 {count} 条")
        self.stdout.write(f"法定节假日/调休日：新增 {seed_from_package()} 条")

from django.db import migrations

# A copy, not an import: migrations must not change when the module does later.
SEED = [
    ("request_type", "01", "咨询", "consult"),
    ("request_type", "02", "求助", "help"),
    ("request_type", "03", "投诉", "complaint"),
    ("request_type", "04", "举报", "report"),
    ("request_type", "05", "建议", "suggestion"),
    ("request_type", "06", "表扬", "praise"),
    ("urgency", "1", "一般", "normal"),
    ("urgency", "2", "较急", "pressing"),
    ("urgency", "3", "紧急", "urgent"),
    ("category", "0801", "噪声污染", "CG01"),
    ("category", "0802", "餐饮油烟", "CG10"),
    ("category", "0501", "供水", "SZ01"),
    ("category", "0503", "供电", "SZ03"),
    ("category", "1201", "拖欠工资", "LD01"),
]


def seed(apps, schema_editor):
    CodeMapping = apps.get_model("exchange", "CodeMapping")
    for kind, code, name, ours in SEED:
        CodeMapping.objects.get_or_create(kind=kind, province_code=code,
                                          defaults={"province_name": name, "our_code": ours})


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

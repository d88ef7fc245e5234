from django.db import migrations


def seed(apps, schema_editor):
    from minhu.notices.seeds import seed_templates

    seed_templates(apps.get_model("notices", "MessageTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0002_message_templates_outgoing_optout"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

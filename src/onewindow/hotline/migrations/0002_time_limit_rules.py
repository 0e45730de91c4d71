"""The time-limit rules a new installation starts with (``limits.DEFAULT_RULES``)."""

from django.db import migrations


def rules_add(apps, schema_editor):
    from onewindow.hotline.limits import DEFAULT_RULES

    rule = apps.get_model("hotline", "TimeLimitRule")
    for order_type, urgency, limit, unit in DEFAULT_RULES:
        rule.objects.get_or_create(
            order_type=str(order_type), urgency=str(urgency),
            defaults={"limit": limit, "unit": str(unit)},
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(rules_add, migrations.RunPython.noop)]

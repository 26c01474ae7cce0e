from django.db import migrations, models
from django.utils import timezone


def backfill(apps, schema_editor):
    """Members recorded before this field: members since the day they were registered (local)."""
    Organisation = apps.get_model("accounts", "Organisation")
    for organisation in Organisation.objects.filter(is_cluster_member=True, member_since=None):
        organisation.member_since = timezone.localdate(organisation.created_at)
        organisation.save(update_fields=["member_since"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_gender_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="member_since",
            field=models.DateField(blank=True, null=True, verbose_name="cluster member since"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

"""Key 1, active, so that codes can be signed right after `migrate`."""

from django.db import migrations


def create_first_key(apps, schema_editor):
    signing_key = apps.get_model("qr", "QrSigningKey")
    if not signing_key.objects.exists():
        signing_key.objects.create(id=1, state="active")


class Migration(migrations.Migration):
    dependencies = [("qr", "0001_initial")]

    operations = [migrations.RunPython(create_first_key, migrations.RunPython.noop)]

"""The first scoring model, frozen here: new versions are added as new rows, never edits."""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

# The launch model is read from the engine's data file, the one source of its parameters. A
# migration must not depend on code that changes later, but this file is versioned data: version
# 2026.1's parameters are immutable (a recalibration is a new version with its own file and
# migration), so reading it here replays exactly what the first deployment wrote.
LAUNCH_MODEL = json.loads(
    (Path(__file__).resolve().parent.parent / "engine" / "launch_model.json").read_text(encoding="utf-8")
)
VERSION = LAUNCH_MODEL["version"]
PARAMETERS = LAUNCH_MODEL["parameters"]


def create_first_model(apps, schema_editor):
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    ScoringModel.objects.get_or_create(
        version=VERSION,
        defaults={
            "description": LAUNCH_MODEL["description"],
            "parameters": PARAMETERS,
            "is_active": True,
            "activated_at": timezone.now(),
        },
    )


def remove_first_model(apps, schema_editor):
    apps.get_model("scoring", "ScoringModel").objects.filter(version=VERSION, snapshots__isNone=True).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(create_first_model, remove_first_model)]

"""The first scoring model, frozen here: new versions are added as new rows, never edits."""

from django.db import migrations
from django.utils import timezone

VERSION = "2026.1"
PARAMETERS = {
    "blacklist": {
        "cap": 450,
        "fade_months": 60,
        "penalty": 150
    },
    "characteristics": {
        "active_days_90d": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.02"
                ],
                [
                    10,
                    "0.1"
                ],
                [
                    30,
                    "0.2"
                ],
                [
                    60,
                    "0.5"
                ]
            ],
            "dimension": "behaviour",
            "direction": "higher_is_better"
        },
        "address_years": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.05"
                ],
                [
                    3,
                    "0.1"
                ],
                [
                    5,
                    "0.2"
                ],
                [
                    10,
                    "0.4"
                ]
            ],
            "dimension": "identity",
            "direction": "higher_is_better"
        },
        "avg_balance_3m": {
            "bins": [
                [
                    0,
                    "-0.3"
                ],
                [
                    500,
                    "-0.1"
                ],
                [
                    2000,
                    "0"
                ],
                [
                    5000,
                    "0.05"
                ],
                [
                    20000,
                    "0.15"
                ],
                [
                    50000,
                    "0.25"
                ],
                [
                    100000,
                    "0.4"
                ]
            ],
            "dimension": "fulfilment_capacity",
            "direction": "higher_is_better"
        },
        "confirmed_contacts": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.1"
                ],
                [
                    5,
                    "0.25"
                ],
                [
                    20,
                    "0.4"
                ],
                [
                    50,
                    "0.6"
                ]
            ],
            "dimension": "connections",
            "direction": "higher_is_better"
        },
        "credit_limit": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    2000,
                    "0.03"
                ],
                [
                    10000,
                    "0.1"
                ],
                [
                    20000,
                    "0.2"
                ],
                [
                    50000,
                    "0.3"
                ]
            ],
            "dimension": "fulfilment_capacity",
            "direction": "higher_is_better"
        },
        "credit_utilisation_pct": {
            "bins": [
                [
                    0,
                    "0.3"
                ],
                [
                    10,
                    "0.2"
                ],
                [
                    30,
                    "0.1"
                ],
                [
                    50,
                    "0"
                ],
                [
                    70,
                    "-0.05"
                ],
                [
                    90,
                    "-0.1"
                ]
            ],
            "dimension": "credit_history",
            "direction": "lower_is_better"
        },
        "education": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.05"
                ],
                [
                    2,
                    "0.1"
                ],
                [
                    3,
                    "0.15"
                ]
            ],
            "dimension": "identity",
            "direction": "higher_is_better"
        },
        "email_verified": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.1"
                ]
            ],
            "dimension": "identity",
            "direction": "higher_is_better"
        },
        "history_months": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    6,
                    "0.02"
                ],
                [
                    12,
                    "0.05"
                ],
                [
                    24,
                    "0.1"
                ],
                [
                    36,
                    "0.15"
                ],
                [
                    60,
                    "0.25"
                ],
                [
                    84,
                    "0.35"
                ]
            ],
            "dimension": "credit_history",
            "direction": "higher_is_better"
        },
        "interactions_90d": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.05"
                ],
                [
                    10,
                    "0.15"
                ],
                [
                    50,
                    "0.4"
                ]
            ],
            "dimension": "connections",
            "direction": "higher_is_better"
        },
        "late_bills_12m": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "-0.25"
                ],
                [
                    2,
                    "-0.4"
                ],
                [
                    3,
                    "-0.5"
                ],
                [
                    5,
                    "-0.6"
                ]
            ],
            "dimension": "credit_history",
            "direction": "lower_is_better"
        },
        "late_bills_older": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "-0.05"
                ],
                [
                    3,
                    "-0.1"
                ]
            ],
            "dimension": "credit_history",
            "direction": "lower_is_better"
        },
        "on_time_bills_24m": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.02"
                ],
                [
                    6,
                    "0.05"
                ],
                [
                    12,
                    "0.1"
                ],
                [
                    24,
                    "0.2"
                ],
                [
                    48,
                    "0.3"
                ],
                [
                    60,
                    "0.35"
                ]
            ],
            "dimension": "credit_history",
            "direction": "higher_is_better"
        },
        "overdue_unpaid": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "-0.15"
                ],
                [
                    2,
                    "-0.2"
                ]
            ],
            "dimension": "credit_history",
            "direction": "lower_is_better"
        },
        "phone_verified": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.1"
                ]
            ],
            "dimension": "identity",
            "direction": "higher_is_better"
        },
        "purchases_12m": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.02"
                ],
                [
                    12,
                    "0.05"
                ],
                [
                    60,
                    "0.2"
                ],
                [
                    200,
                    "0.5"
                ]
            ],
            "dimension": "behaviour",
            "direction": "higher_is_better"
        },
        "real_name_verified": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.25"
                ]
            ],
            "dimension": "identity",
            "direction": "higher_is_better"
        },
        "rent_late_12m": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "-0.3"
                ],
                [
                    2,
                    "-0.5"
                ],
                [
                    3,
                    "-0.7"
                ]
            ],
            "dimension": "fulfilment_capacity",
            "direction": "lower_is_better"
        },
        "rent_on_time_12m": {
            "bins": [
                [
                    0,
                    "0"
                ],
                [
                    1,
                    "0.05"
                ],
                [
                    6,
                    "0.15"
                ],
                [
                    12,
                    "0.3"
                ]
            ],
            "dimension": "fulfilment_capacity",
            "direction": "higher_is_better"
        }
    },
    "downside": 250,
    "upside": 350,
    "weights": {
        "behaviour": "0.20",
        "connections": "0.05",
        "credit_history": "0.35",
        "fulfilment_capacity": "0.25",
        "identity": "0.15"
    }
}


def create_first_model(apps, schema_editor):
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    ScoringModel.objects.get_or_create(
        version=VERSION,
        defaults={
            "description": "Launch scorecard: weights 35/25/20/15/5, base 600, range 350-950.",
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

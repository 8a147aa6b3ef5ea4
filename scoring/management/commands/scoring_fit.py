import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from scoring import services


class Command(BaseCommand):
    help = (
        "Fit a new draft scoring model to what opted-in people did after monthly observation dates "
        "up to --through minus the performance window, with its validation report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--through", type=datetime.date.fromisoformat, required=True, help="YYYY-MM-DD")
        parser.add_argument("--months", type=int, default=12, help="observation months (default 12)")
        parser.add_argument("--window-months", type=int, default=12, help="performance window (default 12)")
        parser.add_argument("--name", default=None, help="the new version's name (default fit-DATE)")
        parser.add_argument("--by", default=None, help="the staff username recorded as the model's author")

    def handle(self, *args: object, **options: Any) -> None:
        actor = None
        if options["by"]:
            actor = User.objects.filter(username=options["by"], is_staff=True).first()
            if actor is None:
                raise CommandError(f"--by: no staff user called {options['by']!r}")
        try:
            model = services.scoring_model_fit(
                through=options["through"],
                actor=actor,
                version=options["name"],
                months=options["months"],
                window_months=options["window_months"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        report = model.report or {}  # a fit always stores its report
        self.stdout.write(
            f"Fitted {model.version} (draft) on {report['rows']} rows of {report['people']} people."
        )
        for sample in ("dev", "holdout", "oot"):
            figures = report["samples"].get(sample)
            if figures:
                self.stdout.write(
                    f"  {sample:8} n={figures['count']:6} bad rate={figures['bad_rate']:.3f} "
                    f"AUC={_f(figures['auc'])} Gini={_f(figures['gini'])} KS={_f(figures['ks'])} "
                    f"bad rate falls by band: {figures['bad_rate_falls']}"
                )
        constraint = report["constraint"]
        free = ", ".join(f"{k} {v:.2f}" for k, v in constraint["free_weights"].items())
        self.stdout.write(f"  weights a free fit would choose: {free}")
        for sample, figures in constraint["auc"].items():
            if figures["auc_cost"] is not None:
                self.stdout.write(
                    f"  cost of the published weights ({sample}): {figures['auc_cost']:+.4f} AUC"
                )
        dropped = ", ".join(d["name"] for d in report["dropped"]) or "none"
        self.stdout.write(
            f"  dropped: {dropped}; without data: {', '.join(report['without_data']) or 'none'}"
        )


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"

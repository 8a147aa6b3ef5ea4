import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import services, tasks
from scoring.models import RecomputeRun

BAR_WIDTH = 40


class Command(BaseCommand):
    help = "Recompute every opted-in person's score for a date, as the nightly job does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--sync", action="store_true", help="do the work in this process")
        parser.add_argument(
            "--resume", action="store_true", help="queue the unfinished chunks of the date's run again"
        )
        parser.add_argument("--chunk-size", type=int, default=None)
        parser.add_argument("--timeout", type=int, default=6 * 3600, help="seconds to follow progress")

    def handle(self, *args: Any, **options: Any) -> None:
        # argparse's options, as add_arguments above declares them.
        as_of: datetime.date = options["date"] or services.today()
        if options["sync"]:
            run = services.recompute_run_sync(as_of=as_of, chunk_size=options["chunk_size"])
            self._report(run)
            return
        if options["resume"]:
            try:
                queued = services.recompute_run_resume(as_of=as_of)
            except RecomputeRun.DoesNotExist as exc:
                raise CommandError(f"There is no run for {as_of} to resume.") from exc
            self.stdout.write(f"Queued {queued} unfinished chunk(s) again.")
        else:
            if RecomputeRun.objects.filter(as_of=as_of).exists():
                self.stdout.write(f"A run for {as_of} already exists: nothing new is started.")
            tasks.recompute_nightly.delay(as_of.isoformat())
        self._follow(as_of=as_of, timeout=options["timeout"])

    def _follow(self, *, as_of: datetime.date, timeout: int) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = RecomputeRun.objects.filter(as_of=as_of).first()
            if run is not None:
                finished = run.people_done + run.people_failed
                share = finished / run.people_total if run.people_total else 1
                filled = int(share * BAR_WIDTH)
                self.stdout.write(
                    f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {finished}/{run.people_total}", ending=""
                )
                self.stdout.flush()
                if run.status != RecomputeRun.Status.RUNNING:
                    self.stdout.write("")
                    self._report(run)
                    return
            time.sleep(0.5)
        raise CommandError(
            f"The run for {as_of} did not finish within {timeout}s; it goes on in the workers."
        )

    def _report(self, run: RecomputeRun) -> None:
        took = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        style = self.style.SUCCESS if run.status == RecomputeRun.Status.DONE else self.style.WARNING
        self.stdout.write(
            style(
                f"Run {run.as_of}: {run.status}, {run.people_done} scored, {run.people_failed} failed, "
                f"model {run.model.version}, {took:.1f}s"
            )
        )

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import services
from scoring.models import ScoreSnapshot


class Command(BaseCommand):
    help = (
        "Recompute a stored score from the features stored with it and the model version that made "
        "it, and say whether it matches (exit status 1 when it does not)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--person", required=True, help="the person's username")
        parser.add_argument("--date", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["person"]
        as_of: datetime.date = options["date"]
        snapshot = (
            ScoreSnapshot.objects.select_related("model", "person")
            .filter(person__username=username, as_of=as_of)
            .first()
        )
        if snapshot is None:
            raise CommandError(f"There is no score of {username!r} on {as_of}.")
        try:
            replay = services.snapshot_replay(snapshot=snapshot)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        described = (
            f"{username} on {as_of}: {snapshot.score} ({snapshot.band}), model {snapshot.model.version}"
        )
        if replay.matches:
            self.stdout.write(self.style.SUCCESS(f"{described}: the replay matches exactly."))
            return
        for name, (stored, replayed) in replay.differences.items():
            self.stdout.write(f"  {name}: stored {stored!r}, replayed {replayed!r}")
        raise CommandError(f"{described}: the replay does NOT match ({', '.join(replay.differences)}).")

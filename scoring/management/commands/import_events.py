import csv
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import services
from scoring.models import Partner

# CSV columns besides these go into the event's data.
ENVELOPE_COLUMNS = ("id", "type", "person")


class Command(BaseCommand):
    help = "Ingest partner events from a JSON Lines (.jsonl) or CSV file: all of the file, or none of it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--partner", required=True, help="the partner's slug (see the admin)")

    def handle(self, *args: object, file: Path, partner: str, **options: object) -> None:
        try:
            source = Partner.objects.get(slug=partner)
        except Partner.DoesNotExist as exc:
            raise CommandError(f"No partner with slug {partner!r}.") from exc
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        try:
            items, first_line, problems = self._read(file)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason}); nothing was imported.") from exc
        if problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(problems))
        try:
            stored = services.events_ingest(
                partner=source, batch=items, label="line {}", number_from=first_line, limit=None
            )
        except ValidationError as exc:
            lines = [f"{where}: {'; '.join(messages)}" for where, messages in exc.message_dict.items()]
            raise CommandError("Nothing was imported:\n" + "\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {len(stored)} events from {file}."))

    def _read(self, file: Path) -> tuple[list[object], int, list[str]]:
        """The file's events, the line number of the first, and any lines that could not be read."""
        problems: list[str] = []
        # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte order mark, which is not part of the header.
        with file.open(encoding="utf-8-sig", newline="") as handle:
            if file.suffix.lower() == ".csv":
                # Line 1 is the header, so the first event is line 2.
                items: list[object] = []
                for row in csv.DictReader(handle):
                    items.append(
                        {
                            **{key: row.get(key) for key in ENVELOPE_COLUMNS},
                            "data": {
                                k: v
                                for k, v in row.items()
                                if k not in ENVELOPE_COLUMNS and v not in ("", None)
                            },
                        }
                    )
                return items, 2, problems
            items = []
            for number, line in enumerate(handle, start=1):
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    items.append({})
                    problems.append(f"line {number}: not valid JSON ({exc.msg})")
        return items, 1, problems

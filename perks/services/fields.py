"""Checks every perks service applies to its input, so each refuses bad input the same way."""

from typing import TypeGuard


def errors_add(errors: dict[str, list[str]], field: str, message: str) -> None:
    """Collect a message under its field, for one ValidationError naming every bad field."""
    errors.setdefault(field, []).append(message)


def is_int(value: object) -> TypeGuard[int]:
    """A whole number, and not a bool (True is an int to Python, never to a person)."""
    return isinstance(value, int) and not isinstance(value, bool)

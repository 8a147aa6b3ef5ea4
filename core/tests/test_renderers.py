"""Tests for core/renderers.py: orjson writes the bytes DRF's own JSON renderer wrote."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from core.renderers import OrjsonRenderer

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "data",
    [
        {"score": 812, "band": "excellent", "weight": 0.35, "ok": True, "none": None},
        [{"id": 1, "title": "Test-drive 试驾", "unmet": ["Score 750 or more"]}],
        {"at": datetime.datetime(2026, 12, 7, 20, 1, 2, 345678, tzinfo=datetime.UTC)},
        {"at": datetime.datetime(2026, 12, 7, 20, 1, 2, tzinfo=SHANGHAI), "on": datetime.date(2026, 12, 7)},
        {"time": datetime.time(8, 30, 15, 500), "span": datetime.timedelta(days=3, seconds=5)},
        {"amount": decimal.Decimal("20000.50"), "id": uuid.UUID(int=7)},
        {"lazy": gettext_lazy("Not found."), "tuple": (1, 2), "nested": {"deep": [[{"x": -1}]]}},
        {1: "an int key", "text": "line\u2028separator\u2029paragraph </script>"},
        "a bare string",
        [],
    ],
)
def test_the_bytes_are_drfs(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_no_data_is_an_empty_body():
    assert OrjsonRenderer().render(None) == b""


def test_an_indented_answer_is_still_indented():
    # when
    rendered = OrjsonRenderer().render({"a": [1]}, "application/json; indent=2")

    # then
    assert rendered == b'{\n  "a": [\n    1\n  ]\n}'

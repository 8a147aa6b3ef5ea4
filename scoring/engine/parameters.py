"""The launch scoring model's parameters, the engine's defaults.

They are data, not code: ``launch_model.json`` holds the version and its parameters once, and
both this module and migration 0002 (which creates that version's row) read it. A versioned
model's parameters never change, so the file is frozen: a recalibration is a new version (a new
file and a new migration), never an edit of this one.

The tables' budgets, for a reader of the JSON: within each dimension the best partials add up to
exactly 1 (credit_history 0.35 + 0.35 + 0.3; fulfilment_capacity 0.4 + 0.3 + 0.3; behaviour
0.5 + 0.5; identity 0.25 + 0.15 + 0.4 + 0.1 + 0.1, a doctorate counting as a master's;
connections 0.6 + 0.4). credit_history's worst add up to exactly -1 (-0.1 - 0.6 - 0.1 - 0.2) and
so do fulfilment_capacity's (-0.3 - 0.7); behaviour, identity and connections can only help
(their worst add up to 0). Calibrated so that a year of ordinary, clean history lands around
650-700 and the top of the range takes years of clean history and real capacity
(scoring-notes.md).
"""

import json
from pathlib import Path
from typing import Any

LAUNCH_MODEL_FILE = Path(__file__).with_name("launch_model.json")

# Bounds and budgets are JSON integers and every decimal a string ("0.35"), so the parameters
# read back exactly as they were written: no float ever enters a table.
_LAUNCH_MODEL: dict[str, Any] = json.loads(LAUNCH_MODEL_FILE.read_text(encoding="utf-8"))

LAUNCH_MODEL_VERSION: str = _LAUNCH_MODEL["version"]
DEFAULT_PARAMETERS: dict[str, Any] = _LAUNCH_MODEL["parameters"]

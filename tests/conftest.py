"""Test configuration: a hypothesis profile for CI, and the oracle for units left unscored."""

from __future__ import annotations

import os

from hypothesis import settings

import oracle
from perfrules.scoring.colalone import TALLY

# CI machines are shared and noisy: a slow example there is not a bug, so CI
# runs without per-example deadlines; failures still print a reproduction blob.
settings.register_profile("ci", deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The command line speaks Chinese under a Chinese locale (perfrules.cli.i18n); the
# tests assert its English unless they choose a language, whatever the machine's locale.
os.environ["PERFRULES_LANG"] = "en"

# Until the column program scores every unit (issue 17: the last units it sends back are being
# closed), a unit it cannot score even alone (or whose trail its record does not give) is scored
# (explained) by the oracle in the tests, so that the other
# tests keep checking what they check; the library gives such a unit an error instead
# (tests/test_column_removal.py checks that, without this hook), and the differential tests hold
# TALLY.unscored at 0. Remove this once no test needs it.
TALLY.instead = lambda plan, unit, population: oracle.score_unit(plan, unit, population, detail=False)
TALLY.explained_instead = lambda plan, unit, population: oracle.score_unit(
    plan, unit, population, detail=True
)

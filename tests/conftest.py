"""Test configuration: a hypothesis profile for CI, and the language the command line speaks."""

from __future__ import annotations

import os

from hypothesis import settings

# CI machines are shared and noisy: a slow example there is not a bug, so CI
# runs without per-example deadlines; failures still print a reproduction blob.
settings.register_profile("ci", deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The command line speaks Chinese under a Chinese locale (perfrules.cli.i18n); the
# tests assert its English unless they choose a language, whatever the machine's locale.
os.environ["PERFRULES_LANG"] = "en"

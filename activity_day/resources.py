"""The files shipped inside the package, found through importlib.resources: an installed wheel finds its templates,
demo profile, catalogs, static files and migrations exactly as a checkout does (the checkout's top-level
templates/ and profiles/ are links to these folders)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

# A real folder in a checkout or an unpacked wheel (activity-day is never imported from a zip).
PACKAGE = Path(str(files("activity_day")))
TEMPLATES_DIR = PACKAGE / "templates"
PROFILES_DIR = PACKAGE / "profiles"
DEMO_PROFILE = PROFILES_DIR / "demo.yaml"
CATALOGS_DIR = PACKAGE / "data"
STATIC_DIR = PACKAGE / "api" / "static"
MIGRATIONS_DIR = PACKAGE / "store" / "migrations"

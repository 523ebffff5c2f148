"""What import-linter cannot see: where the settings are built, where the clock is read and where a profile is
validated. Each is one place; everything else receives it (activity_day.context, store.counties)."""

from __future__ import annotations

import ast
from pathlib import Path

import activity_day

PACKAGE = Path(activity_day.__file__).parent


def modules() -> dict[str, ast.Module]:
    found = {p.relative_to(PACKAGE).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
             for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    assert len(found) > 100, sorted(found)  # the scan sees the package
    return found


def calls(tree: ast.Module) -> list[str]:
    """Each call's callee, spelled as in the source ("datetime.now", "Settings", "crud.load_profile_of")."""
    return [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def where(callee: set[str]) -> set[str]:
    return {name for name, tree in modules().items() if callee & set(calls(tree))}


def test_the_settings_are_built_by_the_context_and_the_demo_workspace_only() -> None:
    assert where({"Settings", "settings.Settings"}) == {"context.py", "demo/registry.py"}


def test_the_clock_is_read_by_the_context_only() -> None:
    """Nothing records "now" from the machine: a test that binds a clock sets every time rule's now."""
    assert where({"datetime.now", "date.today", "datetime.utcnow", "time.time"}) == {"context.py"}


def test_a_profile_is_validated_in_two_places() -> None:
    """A profile file is validated when it is read (domain.profile.load_profile), a stored one by
    store.counties.load_profile_of, once per text per process; no one else parses one."""
    assert where({"profile_from_json", "Profile.model_validate"}) == {"domain/profile.py", "store/counties.py"}


def test_the_checks_can_fail() -> None:
    """The scan finds a call it is told to find (else the checks above would pass on any code)."""
    assert "context.py" in where({"datetime.now"})
    assert "store/counties.py" in where({"profile_from_json"})


ENTRY_POINTS = ("cli/", "flows/", "api/__init__.py", "context.py", "settings.py", "demo/registry.py")


def settings_readers() -> set[str]:
    """Modules that touch the settings: import from activity_day.settings, or read an object's `.settings`."""
    found = set()
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module == "activity_day.settings"
                    or isinstance(node, ast.Attribute) and node.attr == "settings"
                    and not ast.unparse(node).startswith("doc.settings")):  # python-docx's document settings
                found.add(name)
    return found


def test_the_settings_are_read_at_the_entry_points_only() -> None:
    """Below the commands, the flows and the API's app the context is asked for what it needs by name (its
    engine, documents folder, inbox, photo store, drills, secrets, clock), never for the settings."""
    assert {name for name in settings_readers() if not name.startswith(ENTRY_POINTS)} == set()
    assert {"context.py", "cli/root.py", "api/__init__.py"} <= settings_readers()  # the scan sees the readers

"""What import-linter cannot see: where the settings are built, where the clock is read and where a profile is
validated. Each is one place; everything else receives it (activity_day.context, store.counties). And no function
takes more than six parameters, but the commands', flows' and routes' (issue 30)."""

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


# --- at most six parameters (issue 30) ------------------------------------------------------------------------

MAX_PARAMETERS = 6
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}


def _decorator_name(decorator: ast.expr) -> str:
    """A decorator's callee as written, without its arguments: "flow", "app.command", "router.put"."""
    return ast.unparse(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _exempt(module: str, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whose parameters are not the code's to group: a Typer command's (each option is a parameter), a Prefect
    flow's (the deployment's parameters) and a FastAPI route's (the request's parameters and dependencies)."""
    names = [_decorator_name(d) for d in function.decorator_list]
    if module.startswith("cli/"):
        return any(n.rsplit(".", 1)[-1] in ("command", "callback") for n in names)
    if module.startswith("flows/"):
        return "flow" in names
    if module.startswith("api/"):
        return any("." in n and n.rsplit(".", 1)[-1] in ROUTE_METHODS for n in names)
    return False


def too_many_parameters(found: dict[str, ast.Module]) -> list[str]:
    """Functions (methods too: self and cls aside) with more than MAX_PARAMETERS parameters, not exempt."""
    rows = []
    for module, tree in found.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or _exempt(module, node):
                continue
            a = node.args
            names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg not in ("self", "cls")]
            if len(names) > MAX_PARAMETERS:
                rows.append(f"{module}:{node.lineno} {node.name} ({len(names)})")
    return sorted(rows)


def test_functions_take_at_most_six_parameters() -> None:
    """Parameters that travel together are one value (a small frozen dataclass, or the object the caller has)."""
    assert too_many_parameters(modules()) == []


def test_the_parameter_count_can_fail() -> None:
    """The count finds a function of seven parameters, and exempts only the commands, flows and routes."""
    seven = "def f(a, b, c, d, e, f, g): ...\n"
    assert too_many_parameters({"services/x.py": ast.parse(seven)}) == ["services/x.py:1 f (7)"]
    assert too_many_parameters({"store/x.py": ast.parse(f"class C:\n    def m(self, {', '.join('abcdefg')}): ...\n")})
    assert not too_many_parameters({"services/x.py": ast.parse("def f(self, a, b, c, d, e, f): ...\n")})
    for module, decorator in (("cli/x.py", "@app.command('x')"), ("flows/x.py", "@flow(name='x')"),
                              ("api/x.py", "@router.put('/x')")):
        assert not too_many_parameters({module: ast.parse(f"{decorator}\n{seven}")}), module
        assert too_many_parameters({"services/x.py": ast.parse(f"{decorator}\n{seven}")}), module
    assert too_many_parameters({"cli/x.py": ast.parse(f"@dataclass\n{seven}")})


MAX_MODULE_LINES = 450


def test_no_module_is_longer_than_450_lines() -> None:
    """A module that grows past this is split by what it does (as services/lectures.py and lecture_ratings.py)."""
    lengths = {p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
               for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    assert len(lengths) > 100  # the package, not an empty folder
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}

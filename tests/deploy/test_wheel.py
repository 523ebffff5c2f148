"""The package installs: the wheel built from the checkout, installed into a fresh venv outside it, runs a demo month.

The wheel carries one import package (`activity_day`) with its templates, demo profile, catalogs, static files and
migrations as package data. The fresh venv sees the dependencies of the checkout's venv through a path file (so
that the test needs no network), but not the checkout: path files inside that folder (the editable install's
finder among them) are not processed, and the commands run from a folder outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Both tests use one wheel, so they run in one worker (not `apart`). The wheel is built from a copy of the checkout:
# setuptools builds in the source folder's build/, which two builds at once (two workers, or a developer's own
# build beside the suite) would tear from under each other.
OUTPUTS = {".git", ".venv", ".venv-tools", "build", "var", "out", "demo", ".pytest_cache"}  # at the top only


def copy_ignores(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == REPO
    return {n for n in names if (top and n in OUTPUTS) or n == "__pycache__" or n.endswith(".egg-info")}


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(REPO, tmp_path_factory.mktemp("source") / "activity-day", ignore=copy_ignores)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", out, source,
        cwd=out)
    (built,) = out.glob("activity_day-*.whl")
    return built


def test_the_wheel_holds_one_package_and_its_data_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"activity_day"}  # no global cli, flows, tasks or models
    for data in ("activity_day/templates/circular.docx", "activity_day/templates/plan.md.j2",
                 "activity_day/templates/mobile/station.html", "activity_day/templates/notices/plan-missing.j2",
                 "activity_day/profiles/demo.yaml", "activity_day/data/learning.yaml",
                 "activity_day/api/static/mobile.css", "activity_day/store/migrations/script.py.mako",
                 "activity_day/store/migrations/versions/0001_initial_schema.py"):
        assert data in names, data
    templates = {p.relative_to(REPO / "activity_day").as_posix() for p in (REPO / "activity_day" / "templates").rglob("*")
                 if p.is_file()}
    assert {f"activity_day/{t}" for t in templates} <= set(names)


def test_the_installed_wheel_runs_a_demo_month_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip())
    (site / "checkout-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel,
        cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIVITY_DAY_", "PREFECT_")) and k != "PYTHONPATH"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    work = tmp_path / "office"
    work.mkdir()
    where = run(python, "-c", "import activity_day, importlib.util as u; print(activity_day.__file__); "
                "print([m for m in ('cli', 'flows', 'tasks', 'models') if u.find_spec(m)])", cwd=work, env=env)
    assert where.splitlines() == [str(site / "activity_day" / "__init__.py"), "[]"]

    out = run(venv / "bin" / "activity-day", "demo", "--month", "2027-01", "--out", "demo", cwd=work, env=env)
    assert "Traceback" not in out
    assert f"{venv}/bin/activity-day sample verify --month 2027-01" in out  # the command as installed, not .venv/bin
    docs = {p.relative_to(work / "demo").as_posix() for p in (work / "demo").rglob("*.docx")}
    assert {"out/2027-01/plan-v2.docx", "out/2027-01/circular.docx"} <= docs, sorted(docs)
    assert "泗阳县" in (work / "demo" / "out" / "2027-01" / "circular.md").read_text(encoding="utf-8")
    assert (work / "demo" / "profile.yaml").read_bytes() == (REPO / "activity_day" / "profiles" / "demo.yaml").read_bytes()

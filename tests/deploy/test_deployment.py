"""deploy/ as a machine runs it: the units pass `systemd-analyze verify`; the commands they run start, answer and
stop within seconds of SIGTERM, with the environment files; the Prefect server wants its login and the commands
tell a refused login from a server that is down; Caddy serves the phone pages over HTTPS with Secure cookies and
the Prefect UI behind its login; the nightly backup writes both databases.

systemd, caddy and pg_dump come from Debian's packages: `.ci/run` installs them and sets
ACTIVITY_DAY_REQUIRE_DEPLOY=1, so that in CI a missing tool fails instead of skipping. PostgreSQL holds both
databases where ACTIVITY_DAY_TEST_POSTGRES_URL is set (as in CI), owned by a role without superuser rights, as
the README sets them up; SQLite otherwise.
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_ADMIN_URL, profile_with_holiday_file
from tests.deploy.machine import (
    DEPLOY,
    REPO,
    Machine,
    answers,
    command,
    environment_file,
    free_port,
    stop,
    tool,
    unit,
    with_values,
)

UNITS = ["activity-day-prefect-server.service", "activity-day-worker.service", "activity-day-api.service",
         "activity-day-backup.service"]
SERVER, WORKER, API, BACKUP = UNITS
LOGIN = "admin:" + uuid.uuid4().hex
CLI = "/opt/activity-day/.venv/bin/activity-day"
STOP_WITHIN = 10.0  # seconds from SIGTERM to exit; the units allow 15 before they kill


# --- the unit files --------------------------------------------------------------------------------------------

def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """Verified in an alternate root: the system's own units (for the targets they name), the deploy/ units with
    Caddy's drop-in, and a stand-in at every path an Exec line names, so that a program or user missing on this
    machine fails nothing; every program is checked to exist in the repository or the system instead."""
    analyze = tool("systemd-analyze")
    root = tmp_path / "root"
    system = next(p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir())
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    for link, target in (("lib", "usr/lib"), ("bin", "usr/bin"), ("sbin", "usr/sbin")):  # merged /usr
        (root / target).mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(target)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    names = [*UNITS, "activity-day-backup.timer"]
    for name in names:
        shutil.copy(DEPLOY / name, units / name)
    (units / "caddy.service.d").mkdir()
    shutil.copy(DEPLOY / "caddy-activity-day.conf", units / "caddy.service.d" / "activity-day.conf")
    if (root / "usr/lib/systemd/system/caddy.service").exists():  # Debian's caddy package installs it
        names.append("caddy.service")

    programs = set()
    for name in names:
        text = (units / name if (units / name).exists() else root / "usr/lib/systemd/system" / name).read_text()
        for line in text.splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=", "ExecReload=", "ExecStop=")):
                programs.add(command(line.partition("=")[2])[0])
    for program in programs:
        stand_in = root / program.lstrip("/")
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_text("#!/bin/sh\n")
        stand_in.chmod(0o755)
        real = Path(program.replace("/opt/activity-day", str(REPO)))
        if "caddy" not in program:
            assert real.is_file(), f"{program} is on no machine that follows the README"

    done = subprocess.run([analyze, "verify", f"--root={root}", "--man=no", "--generators=no", *names],
                          capture_output=True, text=True)
    # Unknown keys and bad values are only warnings: any output at all is a failure.
    assert done.returncode == 0 and done.stdout == done.stderr == "", done.stdout + done.stderr

    # The checks have teeth: a misspelt key and a missing program are both reported.
    (units / API).write_text((DEPLOY / API).read_text().replace("KillMode=", "KilMode="))
    (root / "opt/activity-day/.venv/bin/activity-day").unlink()
    broken = subprocess.run([analyze, "verify", f"--root={root}", "--man=no", "--generators=no", API],
                            capture_output=True, text=True)
    assert "Unknown key 'KilMode'" in broken.stderr and "is not executable" in broken.stderr


def test_every_service_unit_loads_both_environment_files_and_stops_quickly() -> None:
    for name in UNITS:
        service = unit(name)["Service"]
        assert service["EnvironmentFile"] == ["/etc/activity-day/activity-day.env",
                                              "/etc/activity-day/secrets.env"], name
        assert service["User"] == ["activity-day"] and service["WorkingDirectory"] == ["/var/lib/activity-day"]
        if name != BACKUP:
            assert float(service["TimeoutStopSec"][0]) <= 15 and "KillMode" in service, name
    # The examples name every setting the units and the README rely on, and no real secret.
    settings = environment_file(DEPLOY / "activity-day.env.example")
    secrets = environment_file(DEPLOY / "secrets.env.example")
    assert settings["ACTIVITY_DAY_PUBLIC_URL"].startswith("https://") and settings["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    assert all("CHANGE-ME" in v for v in secrets.values())
    assert secrets["PREFECT_SERVER_API_AUTH_STRING"] == secrets["PREFECT_API_AUTH_STRING"]


def readme_commands(after: str) -> list[str]:
    """The command lines of the README's first shell block after the line starting with `after` (comments and
    continuation lines as they are), each stripped of its trailing comment."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text[text.index("\n" + after):].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def first(lines: list[str], *words: str) -> int:
    """The index of the first line that holds every one of `words`."""
    return next(i for i, line in enumerate(lines) if all(w in line for w in words))


def test_the_readme_waits_for_the_prefect_server_before_using_it() -> None:
    lines = readme_commands("**4. The county, the Prefect server and the worker.**")
    started = first(lines, "systemctl enable --now activity-day-prefect-server")
    waited = first(lines, "prefect server status --wait")
    assert started < waited < first(lines, "activity-day setup")
    # the same wait as the worker's unit
    assert any("prefect server status --wait --timeout 300" in x for x in unit(WORKER)["Service"]["ExecStartPre"])


def test_the_readme_restore_runs_in_order_on_a_new_machine() -> None:
    """Set up to step 3 only, a machine has no units and no Prefect home yet: the restore installs the units before
    it stops them, makes Prefect's home before it copies the stored results there, and starts the server before
    the worker."""
    lines = readme_commands("To restore, on this machine or on a new one")
    installed = first(lines, "cp ", "activity-day-*.service", "/etc/systemd/system/")
    assert installed < first(lines, "systemctl daemon-reload") < first(lines, "systemctl stop")
    assert first(lines, "install -d", "/var/lib/activity-day/prefect") < first(lines, "$B/prefect-storage")
    assert first(lines, "dropdb", "--if-exists", "prefect") < first(lines, "createdb", "prefect") \
        < first(lines, "pg_restore", "--no-owner", "--role=activity_day", "--dbname=prefect")
    assert first(lines, "enable --now activity-day-prefect-server") < first(lines, "prefect server status --wait") \
        < first(lines, "enable --now activity-day-worker")


def test_a_placeholder_left_in_the_secrets_stops_every_service(tmp_path: Path) -> None:
    machine = Machine(tmp_path)
    (tmp_path / "etc").mkdir()
    shutil.copy(DEPLOY / "activity-day.env.example", tmp_path / "etc" / "activity-day.env")
    shutil.copy(DEPLOY / "secrets.env.example", tmp_path / "etc" / "secrets.env")
    for name in (SERVER, WORKER, API):
        guard = command(unit(name)["Service"]["ExecStartPre"][0])
        done = machine.run(guard, name)
        assert done.returncode == 1 and "still holds a CHANGE-ME placeholder" in done.stderr


# --- the services, started from their units --------------------------------------------------------------------

@contextmanager
def databases(lib: Path) -> Iterator[tuple[str, str]]:
    """The application's and Prefect's database: on PostgreSQL, both owned by a new role without superuser
    rights (README, "Deployment"), dropped afterwards; else SQLite files."""
    if not POSTGRES_ADMIN_URL:
        yield f"sqlite:///{lib / 'activity_day.db'}", f"sqlite+aiosqlite:///{lib / 'prefect.db'}"
        return
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    role, password = f"activity_day_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    names = [f"{role}_app", f"{role}_prefect"]
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        for name in names:
            conn.execute(sa.text(f"CREATE DATABASE {name} OWNER {role}"))
    base = sa.engine.make_url(POSTGRES_ADMIN_URL).set(username=role, password=password)
    try:
        yield (base.set(database=names[0]).render_as_string(hide_password=False),
               base.set(drivername="postgresql+asyncpg", database=names[1]).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


@pytest.fixture(scope="module")
def machine(tmp_path_factory) -> Iterator[Machine]:
    """/etc/activity-day filled in as the README says (a generated password, the databases) on free ports, and a
    county with its stations and a station's token, set up with the operator's commands."""
    from activity_day.demo import station_registry, write_xlsx

    machine = Machine(tmp_path_factory.mktemp("machine"))
    machine.ports = {"prefect": free_port(), "worker": free_port(), "api": free_port()}
    etc = machine.root / "etc"
    etc.mkdir()
    with databases(machine.root / "lib") as (app_url, prefect_url):
        port = machine.ports["prefect"]
        (etc / "activity-day.env").write_text(with_values(
            (DEPLOY / "activity-day.env.example").read_text(encoding="utf-8"),
            PREFECT_SERVER_API_PORT=str(port), PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
            PREFECT_WORKER_WEBSERVER_PORT=str(machine.ports["worker"]),
            # Published at http here: only the proxy's X-Forwarded-Proto can make the cookies Secure.
            ACTIVITY_DAY_PUBLIC_URL=f"http://127.0.0.1:{machine.ports['api']}"), encoding="utf-8")
        secrets = (DEPLOY / "secrets.env.example").read_text(encoding="utf-8").replace("admin:CHANGE-ME-UI-PASSWORD",
                                                                                      LOGIN)
        (etc / "secrets.env").write_text(with_values(secrets, ACTIVITY_DAY_DATABASE_URL=app_url,
                                                     PREFECT_API_DATABASE_CONNECTION_URL=prefect_url), encoding="utf-8")
        files = machine.root / "files"
        profile = profile_with_holiday_file(files)
        registry = write_xlsx(station_registry(random.Random("deploy")), files / "所站名录.xlsx", "所站名录")
        for argv in ([CLI, "init", "--profile", str(profile)], [CLI, "import", "stations", str(registry)]):
            done = machine.run(argv, API)
            assert done.returncode == 0, done.stdout + done.stderr
        machine.token = json.loads(machine.run([CLI, "tokens", "issue", "--station", "001", "--json"], API).stdout)["token"]
        try:
            yield machine
        finally:
            machine.stop_all()


@pytest.fixture(scope="module")
def prefect_service(machine: Machine) -> Iterator[subprocess.Popen]:
    server = machine.start(SERVER)
    assert answers(f"http://127.0.0.1:{machine.ports['prefect']}/api/health", 240, server) == 200, \
        machine.output(SERVER)
    yield server


@pytest.fixture(scope="module")
def phone_service(machine: Machine) -> Iterator[subprocess.Popen]:
    api = machine.start(API, port=machine.ports["api"])
    assert answers(f"http://127.0.0.1:{machine.ports['api']}/api/v1/health", 120, api) == 200, machine.output(API)
    yield api


JSON = {"Content-Type": "application/json"}


def basic(login: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()}


def flows_seen(machine: Machine, login: str | None) -> int:
    """The status of a POST to the Prefect API (its flows) with `login`, or none."""
    return fetch(f"http://127.0.0.1:{machine.ports['prefect']}/api/flows/filter", headers=JSON | (
        basic(login) if login else {}), data=b"{}", method="POST")[0]


def workers_of_the_pool(machine: Machine) -> list[dict]:
    url = f"http://127.0.0.1:{machine.ports['prefect']}/api/work_pools/activity-day/workers/filter"
    request = urllib.request.Request(url, data=b"{}", method="POST", headers=JSON | basic(LOGIN))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError:  # 404: the pool is not there yet
        return []


def test_the_prefect_server_wants_its_login(machine: Machine, prefect_service) -> None:
    assert flows_seen(machine, None) == 401
    assert flows_seen(machine, "admin:wrong") == 401
    assert flows_seen(machine, LOGIN) == 200


def test_the_worker_starts_answers_and_stops_within_seconds(machine: Machine, prefect_service) -> None:
    worker = machine.start(WORKER)
    assert answers(f"http://127.0.0.1:{machine.ports['worker']}/health", 120, worker) == 200, \
        machine.output(WORKER)
    # Its health check answers while it is still starting: wait until it has signed in to the server and said
    # it started (a SIGTERM while Prefect prints that first line, importing rich's emoji table, makes the signal
    # handler's own print re-enter the import: an ImportError traceback instead of a clean stop).
    deadline = time.monotonic() + 120
    while not workers_of_the_pool(machine) or "started!" not in machine.output(WORKER):
        assert worker.poll() is None and time.monotonic() < deadline, machine.output(WORKER)
        time.sleep(0.5)
    assert stop(worker, STOP_WITHIN) < STOP_WITHIN
    assert worker.returncode == 0 and "stopped!" in machine.output(WORKER), machine.output(WORKER)


def said(done: subprocess.CompletedProcess) -> str:
    """The one error line a command ended with (after the line saying what it started)."""
    [error] = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    return error


def _draft(machine: Machine, **env: str) -> subprocess.CompletedProcess:
    return machine.run([CLI, "run", "draft", "--month", "2027-03"], API, timeout=300, **env)


def test_commands_tell_a_refused_login_and_run_with_the_right_one(machine: Machine, prefect_service) -> None:
    url = f"http://127.0.0.1:{machine.ports['prefect']}/api"
    wrong = _draft(machine, PREFECT_API_AUTH_STRING="admin:wrong")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr, wrong.stderr
    assert said(wrong).startswith(f"错误：Prefect 服务器（{url}）拒绝了登录凭据（401）：PREFECT_API_AUTH_STRING 与服务器的")
    missing = _draft(machine, PREFECT_API_AUTH_STRING="")
    assert missing.returncode == 2 and "拒绝了登录凭据（401）：未设置 PREFECT_API_AUTH_STRING" in said(missing)
    assert "无法连接" not in wrong.stderr + missing.stderr
    right = _draft(machine)
    assert right.returncode == 0, right.stderr
    assert "方案（征求意见稿）已起草" in right.stdout


class _Here(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to look at, not to follow
        return None


def fetch(url: str, context: ssl.SSLContext | None = None, **request) -> tuple[int, Message]:
    """The status and headers `url` answers with (TLS checked against `context`; no redirect followed)."""
    opener = urllib.request.build_opener(_Here, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(urllib.request.Request(url, **request), timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def tls_ready(port: int, context: ssl.SSLContext) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as sock, \
                context.wrap_socket(sock, server_hostname="localhost"):
            return True
    except (OSError, ssl.SSLError):
        return False


def test_caddy_serves_the_phone_pages_over_https_with_secure_cookies(machine: Machine, prefect_service,
                                                                      phone_service) -> None:
    """deploy/Caddyfile with its internal CA on free high ports (caddy.env as for a trial), in front of the
    phone API and the Prefect server that the units started."""
    caddy = tool("caddy")
    https, http = free_port(), free_port()
    home = machine.root / "caddy"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config")}
    env |= environment_file(DEPLOY / "caddy.env.example") | {
        "PHONE_SITE": "localhost", "PHONE_TLS": "internal", "PREFECT_SITE": "127.0.0.1", "PREFECT_TLS": "internal",
        "PHONE_UPSTREAM": f"127.0.0.1:{machine.ports['api']}", "PREFECT_UPSTREAM": f"127.0.0.1:{machine.ports['prefect']}",
        "CADDY_HTTPS_PORT": str(https), "CADDY_HTTP_PORT": str(http), "CADDY_ADMIN": "off"}
    with (machine.root / "log" / "caddy.out").open("ab") as log:
        proxy = subprocess.Popen([caddy, "run", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
                                 env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    machine.processes.append(proxy)
    root_cert = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 60
    while not (root_cert.exists() and tls_ready(https, ssl.create_default_context(cafile=str(root_cert)))):
        assert proxy.poll() is None and time.monotonic() < deadline, machine.output("caddy")
        time.sleep(0.3)
    trusted = ssl.create_default_context(cafile=str(root_cert))

    link = f"/m/station?t={machine.token}"
    status, headers = fetch(f"https://localhost:{https}{link}", trusted)
    assert status == 303 and "secure" in headers["set-cookie"].lower().split("; "), (status, headers)
    # The same link straight to the API over http has no Secure cookie: the proxy's https made the difference.
    status, headers = fetch(f"http://127.0.0.1:{machine.ports['api']}{link}")
    assert status == 303 and "secure" not in headers["set-cookie"].lower().split("; ")
    # Plain http to Caddy is sent to https (on 443: Caddy's redirect names no other port).
    status, headers = fetch(f"http://localhost:{http}{link}")
    assert status == 308 and headers["location"] == f"https://localhost{link}"

    # The Prefect UI and API over https, behind Prefect's login.
    ui = f"https://127.0.0.1:{https}"
    assert fetch(f"{ui}/api/health", trusted)[0] == 200
    assert fetch(f"{ui}/", trusted)[0] == 200
    post = {"data": b"{}", "method": "POST"}
    assert fetch(f"{ui}/api/flows/filter", trusted, headers=JSON, **post)[0] == 401
    assert fetch(f"{ui}/api/flows/filter", trusted, headers=JSON | basic(LOGIN), **post)[0] == 200
    assert stop(proxy, STOP_WITHIN) < STOP_WITHIN


def test_the_nightly_backup_keeps_both_databases(machine: Machine, prefect_service) -> None:
    [line] = unit(BACKUP)["Service"]["ExecStart"]
    argv = command(line)
    assert argv[-2:] == ["--keep", "14"]
    backups = machine.root / "backups"
    old = [backups / f"2026-01-0{d}_023000" for d in range(1, 4)]
    for folder in old:
        folder.mkdir(parents=True)
    done = machine.run([*argv[:-1], "2"], BACKUP, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [taken] = [p for p in backups.iterdir() if p not in old]
    assert sorted(p.name for p in backups.iterdir()) == sorted([old[-1].name, taken.name])  # the 2 newest kept
    assert json.loads((taken / "manifest.json").read_text(encoding="utf-8"))["database"]["tables"]["station"]["rows"] == 248
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"已备份到 {taken}：") and any("已备份 Prefect 数据库" in x for x in lines)
    if POSTGRES_ADMIN_URL:
        listing = subprocess.run([tool("pg_restore"), "--list", str(taken / "prefect.pgdump")], capture_output=True,
                                 text=True)
        assert listing.returncode == 0 and "TABLE DATA public flow_run " in listing.stdout
        restored_into_a_new_database(machine, taken / "prefect.pgdump")
    else:
        assert (taken / "prefect.db").stat().st_size > 0


COUNTED = ("block_type", "deployment", "flow", "flow_run", "work_pool")


def restored_into_a_new_database(machine: Machine, dump: Path) -> None:
    """The README's restore of Prefect's database: pg_restore of the dump into a new, empty database owned by the
    services' role (--no-owner --role), which then holds Prefect's schema revision and the same rows."""
    served = sa.engine.make_url(environment_file(machine.root / "etc" / "secrets.env")[
        "PREFECT_API_DATABASE_CONNECTION_URL"])
    role, name = served.username, f"{served.database}_restored"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{role}"'))
        target = sa.engine.make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql", database=name)
        with dump.open("rb") as stdin:
            done = subprocess.run([tool("pg_restore"), "--no-owner", f"--role={role}", "--exit-on-error",
                                   f"--dbname={target.render_as_string(hide_password=False)}"], stdin=stdin,
                                  capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

        def contents(url: sa.URL) -> dict[str, object]:
            engine = sa.create_engine(url.set(drivername="postgresql+psycopg"))
            try:
                with engine.connect() as conn:
                    found = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}
                    found["revision"] = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
                    found["owners"] = set(conn.execute(sa.text(
                        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars())
                    return found
            finally:
                engine.dispose()

        restored = contents(target)
        assert restored["block_type"] > 0 and restored["owners"] == {role}, restored
        # what the server holds now (nothing runs meanwhile): the same rows, as the services' role
        assert restored == contents(served), restored
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_api_and_the_server_stop_within_seconds_and_then_a_command_says_it_is_down(
        machine: Machine, prefect_service, phone_service) -> None:
    assert stop(phone_service, STOP_WITHIN) < STOP_WITHIN
    assert stop(prefect_service, STOP_WITHIN) < STOP_WITHIN
    down = _draft(machine)
    url = f"http://127.0.0.1:{machine.ports['prefect']}/api"
    assert down.returncode == 2 and said(down).startswith(f"错误：无法连接 Prefect 服务器（{url}）"), down.stderr

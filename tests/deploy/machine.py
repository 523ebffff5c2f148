"""A deployed machine in a folder: deploy/'s unit and environment files read as systemd reads them, the
machine's paths moved under a temporary root, and each unit's commands started as systemd starts them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
REQUIRE = "ACTIVITY_DAY_REQUIRE_DEPLOY"
# systemd's own PATH for services; nothing else of the test's environment reaches a service.
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def tool(name: str) -> str:
    """The path of a tool the deployment uses; skipped where missing, failed where .ci/run requires it."""
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)),
                                      None)
    if found:
        return found
    if os.environ.get(REQUIRE):
        pytest.fail(f"{name} is required here ({REQUIRE} is set): apt-get install the package that has it")
    pytest.skip(f"{name} is not installed")


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each key with its values in order (Exec*, EnvironmentFile repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def command(line: str) -> list[str]:
    """An Exec line as the program and arguments systemd runs (its prefixes dropped)."""
    assert "$" not in line and "%" not in line, f"variables and specifiers are not emulated here: {line}"
    return shlex.split(line.lstrip("-@:+!"))


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments, quotes)."""
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def with_values(text: str, **values: str) -> str:
    """An environment file's text with these keys set, as an IT person edits it."""
    for key, value in values.items():
        text, found = re.subn(rf"^{key}=.*$", lambda _m, k=key, v=value: f"{k}={v}", text, flags=re.M)
        assert found == 1, key
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float, process: subprocess.Popen | None = None, **kw) -> int:
    """Poll `url` until it answers (any status); the status. Fails if `process` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode} before answering at {url}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, **kw), timeout=3) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nothing answered at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, within: float) -> float:
    """SIGTERM to the main process, as systemd stops a unit; the seconds it took to exit (fails past `within`)."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"{process.args[:3]} was still running {within:.0f} s after SIGTERM")
    return time.monotonic() - started


def _systemd_signals() -> None:
    # systemd starts a service with every signal at its default: a test runner started in the background
    # passes SIGINT on ignored, and Prefect's worker, which turns SIGTERM into SIGINT, would never stop.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Machine:
    """The deployment's paths under `root`: /etc/activity-day, /var/lib, /var/log, /var/backups, and /opt as
    the repository itself."""

    root: Path
    ports: dict[str, int] = field(default_factory=dict)
    token: str = ""  # a station's phone-page token, once the county is set up
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def paths(self) -> dict[str, Path]:
        return {"/opt/activity-day": REPO, "/etc/activity-day": self.root / "etc",
                "/var/lib/activity-day": self.root / "lib", "/var/log/activity-day": self.root / "log",
                "/var/backups/activity-day": self.root / "backups"}

    def place(self, text: str) -> str:
        for real, here in self.paths.items():
            text = text.replace(real, str(here))
        return text

    def environment(self, name: str) -> dict[str, str]:
        """What a unit's processes see: systemd's PATH, HOME of the service user, and its environment files."""
        env = {"PATH": SYSTEMD_PATH, "HOME": str(self.root / "lib")}
        for file in unit(name)["Service"].get("EnvironmentFile", []):
            env |= {k: self.place(v) for k, v in environment_file(Path(self.place(file.lstrip("-")))).items()}
        return env

    def run(self, argv: list[str], name: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
        """A command run as the unit `name` runs its own (an ExecStartPre, or an operator's command)."""
        self.prepare(name)
        return subprocess.run([self.place(a) for a in argv], env=self.environment(name) | env, text=True,
                              capture_output=True, cwd=self.cwd(name), timeout=timeout, preexec_fn=_systemd_signals)

    def start(self, name: str, *, port: int | None = None, **env: str) -> subprocess.Popen:
        """Run the unit's ExecStartPre commands (each must succeed), then start its ExecStart."""
        service = unit(name)["Service"]
        for line in service.get("ExecStartPre", []):
            done = self.run(command(line), name, timeout=330)
            assert done.returncode == 0, (line, done.stdout, done.stderr)
        [line] = service["ExecStart"]
        argv = [self.place(a) for a in command(line)]
        if port is not None:
            argv[argv.index("--port") + 1] = str(port)
        log = (self.root / "log" / f"{name}.out").open("ab")
        process = subprocess.Popen(argv, env=self.environment(name) | env, cwd=self.cwd(name), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_systemd_signals)
        self.processes.append(process)
        return process

    def cwd(self, name: str) -> Path:
        return Path(self.place(unit(name)["Service"]["WorkingDirectory"][0]))

    def prepare(self, name: str) -> None:
        """What systemd creates before it starts the unit: its state and log directories."""
        service = unit(name)["Service"]
        for key, base in (("StateDirectory", "/var/lib"), ("LogsDirectory", "/var/log")):
            for value in service.get(key, []):
                Path(self.place(f"{base}/{value}")).mkdir(parents=True, exist_ok=True)

    def output(self, name: str) -> str:
        path = self.root / "log" / f"{name}.out"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

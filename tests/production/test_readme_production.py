"""The README's production section, followed literally, command by command.

Every code block marked `<!-- production-test -->` in README.md's production section is run with
bash, in order, as the operator would type it, on a clean PostgreSQL database and Redis, with two
app nodes and the worker. This machine is not three machines with systemd and root, so exactly
these things are substituted, and nothing else:

- paths under /etc/arena, /etc/systemd/system, /opt/arena, /var/lib/arena, /backup/arena,
  /srv/arena/files and /usr/local/bin are moved under the test's directory (a chroot, in effect);
- the machine addresses: the database and Redis of the filled-in environment file are the test's,
  and app-1/app-2 (10.0.0.21/22:8000) listen on two free local ports, each with its own var dir
  and one web process (ARENA_WORKERS: this machine's two cores are shared by everything);
- root-only steps are shell functions: `apt-get` and `useradd` do nothing (the packages are
  present, the test's user stands for `arena`), `install -o/-g` drops the owner, `sudo -u arena`
  runs as the test's user, `systemctl enable --now UNIT` starts the unit's ExecStart with its
  EnvironmentFile= read the way systemd reads it (tests.production.systemd);
- the network: the wheel is built without build isolation (this venv's setuptools, no download),
  and the new venv gets this venv's site-packages through a .pth file, its `pip install`
  installing the wheel itself with --no-deps --no-index. The venv's own site-packages comes first
  on sys.path, so `arena` runs from the installed wheel, never from the checkout (asserted).

The "fill in CHANGE-ME" edit of /etc/arena/env is done by the test, as the operator would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from redis import Redis

from arena import PROJECT_ROOT
from arena.bench.ports import claimed
from arena.settings import Settings
from tests.conftest import PG_AVAILABLE, REDIS_AVAILABLE, REDIS_URL, in_thread, pg_admin
from tests.e2e.conftest import _tail
from tests.production.systemd import environment_file, unit

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (PG_AVAILABLE and REDIS_AVAILABLE), reason="needs PostgreSQL and Redis")]

MARK = "<!-- production-test -->"
RELEASE_FILES = ("setup.py", "MANIFEST.in", "pyproject.toml", "README.md", "alembic.ini", "constraints.txt",
                 "migrations", "templates", "static", "src", "deploy")
MOVED = ("/etc/systemd/system", "/etc/arena", "/opt/arena", "/var/lib/arena", "/backup/arena",
         "/srv/arena/files", "/usr/local/bin")
PRELUDE = r'''
set -euo pipefail
export PATH="$ROOT/usr/local/bin:$PATH"
apt-get() { echo "apt-get $*: skipped, the packages are present"; }
useradd() { :; }
sudo() { if [ "$1" = "-u" ]; then shift 2; fi; "$@"; }
install() {
  local args=()
  while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2;; *) args+=("$1"); shift;; esac; done
  command install "${args[@]}"
}
python3() {
  if [ "$1 $2 $3" = "-m pip wheel" ]; then shift 3; "$TEST_PYTHON" -m pip wheel -q --no-build-isolation "$@"
  elif [ "$1 $2" = "-m venv" ]; then
    "$TEST_PYTHON" -m venv --without-pip "$3"
    echo "$TEST_SITE" > "$("$3/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/deps.pth"
    printf '#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@" --no-deps --no-index --ignore-installed -q\n' > "$3/bin/pip"
    chmod +x "$3/bin/pip"
  else "$TEST_PYTHON" "$@"; fi
}
systemctl() { echo "$*" >> "$ROOT/systemctl.log"; }
'''


def production_blocks() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploying in production"):readme.index("## Layout")]
    return re.findall(re.escape(MARK) + r"\n```sh\n(.*?)```", section, re.S)


class Installation:
    def __init__(self, root: Path, ports: list[int], database: str) -> None:
        self.root, self.ports, self.database = root, ports, database
        self.release = root / "release"
        self.processes: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        self.moves = {path: str(root) + path for path in MOVED} | {
            f"http://10.0.0.2{n + 1}:8000": f"http://127.0.0.1:{port}" for n, port in enumerate(ports)}
        self._pattern = re.compile("|".join(re.escape(key) for key in sorted(self.moves, key=len, reverse=True)))

    def moved(self, text: str) -> str:
        return self._pattern.sub(lambda match: self.moves[match.group(0)], text)

    def run(self, block: str) -> str:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.root), "LANG": "C.UTF-8", "ROOT": str(self.root),
               "TEST_PYTHON": sys.executable, "TEST_SITE": sysconfig.get_paths()["purelib"],
               "FIRST_ADMIN_PASSWORD": "first-admin-password-1"}
        result = subprocess.run(["bash", "-c", PRELUDE + self.moved(block)], cwd=self.release, env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, f"README block failed:\n{block}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        return result.stdout

    def fill_in_environment(self, secrets: dict[str, str]) -> None:
        """The operator's edit of /etc/arena/env: the CHANGE-ME values, and this machine's services."""
        path = self.root / "etc/arena/env"
        text = path.read_text()
        values = secrets | {
            "ARENA_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.database}",
            "ARENA_REDIS_URL": REDIS_URL}
        for name, value in values.items():
            text, count = re.subn(rf"^{name}=.*$", f"{name}='{value}'", text, flags=re.M)
            assert count == 1, name
        path.write_text(self.moved(text))

    def start_units(self) -> None:
        """`systemctl enable --now` as systemd would: the unit's user, directory and environment."""
        for request in (self.root / "systemctl.log").read_text().splitlines():
            words = request.split()
            if words[:2] != ["enable", "--now"]:
                continue
            name = words[2]
            machines = ["app-1", "app-2"] if name == "arena" else ["ops-1"]
            for index, machine in enumerate(machines):
                self.start(self.root / "etc/systemd/system" / f"{name}.service", machine,
                           self.ports[index] if name == "arena" else None)

    def start(self, unit_file: Path, machine: str, port: int | None) -> None:
        service = unit(unit_file)["Service"]
        env = environment_file(Path(self.moved(service["EnvironmentFile"][0])).read_text())
        var_dir = self.root / "machines" / machine  # each machine its own /var/lib/arena
        var_dir.mkdir(parents=True, exist_ok=True)
        # This "machine" has one core of a shared two: one web process (the file says about one a core).
        env |= {"PATH": os.environ["PATH"], "ARENA_VAR_DIR": str(var_dir), "ARENA_WORKERS": "1"}
        if port is not None:
            env["ARENA_PORT"] = str(port)
        log = var_dir / "journal.log"
        with log.open("ab") as out:
            process = subprocess.Popen(self.moved(service["ExecStart"][0]).split(), env=env, cwd=var_dir,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((machine, process, log))

    def wait_ready(self) -> None:
        for port in self.ports:
            deadline = time.monotonic() + 120
            while not ready(port):
                dead = [(m, log) for m, p, log in self.processes if p.poll() is not None]
                assert not dead and time.monotonic() < deadline, f"not ready: {[_tail(log) for _, log in dead]}"
                time.sleep(0.2)

    def stop(self) -> None:
        for _, process, _ in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, _ in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def clear_prefixes() -> None:
    redis = Redis.from_url(REDIS_URL)
    for prefix in ("arena", "arena-rehearsal"):
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)
    redis.close()


def test_the_readme_production_section_runs_as_written(tmp_path):
    blocks = production_blocks()
    assert len(blocks) == 7, "the test follows the README's marked blocks in order: update both together"
    wheel, install, first_admin, services, readyz, backup, rehearsal = blocks
    database = f"arena_readme_{uuid.uuid4().hex[:8]}"
    # The ports stay claimed until both nodes answer on them (arena.bench.ports).
    claim = contextlib.ExitStack()
    site = Installation(tmp_path, claim.enter_context(claimed(2)), database)
    site.release.mkdir()
    for skeleton in ("usr/local/bin", "etc/systemd/system"):  # what every Debian machine has
        (tmp_path / skeleton).mkdir(parents=True)
    for name in RELEASE_FILES:
        source = PROJECT_ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        copy(source, site.release / name, **({"ignore": shutil.ignore_patterns("__pycache__", "*.egg-info")}
                                             if source.is_dir() else {}))
    in_thread(asyncio.run, pg_admin(f'CREATE DATABASE "{database}"', f'CREATE DATABASE "{database}_rehearsal"'))
    clear_prefixes()
    try:
        site.run(wheel)
        site.run(install)
        arena = tmp_path / "usr/local/bin/arena"
        installed = subprocess.run([str(arena.resolve().parent / "python"), "-c", "import arena; print(arena.__file__)"],
                                   capture_output=True, text=True, check=True).stdout
        assert installed.startswith(str(tmp_path / "opt/arena/venv")), installed
        site.fill_in_environment({"ARENA_SECRET_KEY": "p" * 48, "ARENA_AUDIT_SIGNING_KEY": "cd" * 32,
                                  "ARENA_METRICS_TOKEN": "metrics-token-1"})
        assert "升级到" in site.run(first_admin)
        site.run(services)
        site.start_units()
        site.wait_ready()
        claim.close()
        answers = site.run(readyz)
        assert answers.count('"status":"ok"') == 2
        site.run(backup)
        (taken,) = (tmp_path / "backup/arena").iterdir()
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in [taken, *taken.rglob("*")]}
        assert modes[taken.name] == 0o700 and modes["database.pgdump"] == 0o600 and modes["manifest.json"] == 0o600
        assert "哈希链完整" in site.run(rehearsal)
        rehearsal_env = environment_file((tmp_path / "etc/arena/rehearsal.env").read_text())
        assert rehearsal_env["ARENA_DATABASE_URL"].endswith(f"/{database}_rehearsal")
        assert rehearsal_env["ARENA_REDIS_PREFIX"] == "arena-rehearsal"
        # The rehearsal cannot run on production's prefix: its sessions would be production's.
        with pytest.raises(BaseException) as refused:
            in_thread(asyncio.run, start_and_stop(Settings.from_env(rehearsal_env | {"ARENA_REDIS_PREFIX": "arena"})))
        assert "已被另一个数据库" in messages(refused.value)
        in_thread(asyncio.run, start_and_stop(Settings.from_env(rehearsal_env)))
        site.stop()
        for _, _, log in site.processes:
            for line in log.read_text().splitlines():
                record = json.loads(line)  # every line is JSON
                assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", record["time"]), line
        journals = {machine: log.read_text() for machine, _, log in site.processes}
        assert '"arena web started' in journals["app-1"] and '"arena web stopped"' in journals["app-2"]
        assert '"event": "worker_pass"' in journals["ops-1"] and '"schema_revision": "' in journals["ops-1"]
    finally:
        site.stop()
        claim.close()
        clear_prefixes()
        in_thread(asyncio.run, pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                                        f'DROP DATABASE IF EXISTS "{database}_rehearsal" WITH (FORCE)'))


async def start_and_stop(settings: Settings) -> None:
    from arena.app import create_app

    app = create_app(settings)
    async with app.lifespan():
        pass


def messages(error: BaseException) -> str:
    """Every message in an exception group (the lifespan wraps a start-up refusal in one)."""
    if isinstance(error, BaseExceptionGroup):
        return " ".join(messages(inner) for inner in error.exceptions)
    return str(error)

"""deploy/ holds files an operator installs as they are: they must parse the way systemd, a shell,
nginx and Prometheus read them, and agree on one network layout (README, production, section 1)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from arena import PROJECT_ROOT
from arena.settings import Settings
from tests.production.systemd import environment_file, unit

DEPLOY = PROJECT_ROOT / "deploy"
ENV_FILE = DEPLOY / "arena.env"
APP_NODES = {"10.0.0.21:8000", "10.0.0.22:8000"}
FILLED_IN = {  # what the operator puts in place of each CHANGE-ME
    "ARENA_SECRET_KEY": "s" * 48,
    "ARENA_AUDIT_SIGNING_KEY": "ab" * 32,
}


def shell_environment(path: Path) -> dict[str, str]:
    """What `set -a; . FILE; set +a` exports, as the README's commands load it."""
    output = subprocess.run(["bash", "-c", 'set -a; . "$1"; set +a; env -0', "bash", str(path)],
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, check=True).stdout
    pairs = (item.split("=", 1) for item in output.decode().split("\0") if "=" in item)
    return {name: value for name, value in pairs if name.startswith("ARENA_")}


def test_the_environment_file_reads_the_same_in_systemd_and_in_a_shell():
    text = ENV_FILE.read_text()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"ARENA_[A-Z_]+='[^'#]*'", line), f"not one quoted assignment: {line!r}"
    by_systemd = environment_file(text)
    assert by_systemd == shell_environment(ENV_FILE)
    assert by_systemd["ARENA_SMTP_URL"].endswith("&starttls=1")  # a shell without quotes cut it at &
    assert by_systemd["ARENA_WORKERS"] == "4" and by_systemd["ARENA_HOST"] == "0.0.0.0"  # noqa: S104


def test_the_filled_in_environment_file_loads_as_production_settings():
    values = environment_file(ENV_FILE.read_text())
    values |= {name: value for name, value in FILLED_IN.items() if "CHANGE-ME" in values[name]}
    settings = Settings.from_env(values)
    assert settings.production and settings.workers == 4 and settings.port == 8000
    assert settings.files_dir == Path("/srv/arena/files") and settings.var_dir == Path("/var/lib/arena")
    assert settings.public_url == "https://arena.example.gov.cn"
    assert settings.database_url.endswith("@10.0.0.31:5432/arena")
    assert settings.redis_url == "redis://10.0.0.32:6379/0" and settings.trusted_proxies == ("10.0.0.10",)


def test_the_systemd_units_are_complete():
    for name, command in (("arena.service", "serve"), ("arena-worker.service", "worker")):
        sections = unit(DEPLOY / "systemd" / name)
        assert set(sections) == {"Unit", "Service", "Install"}, name
        service = sections["Service"]
        assert service["User"] == ["arena"] and service["EnvironmentFile"] == ["/etc/arena/env"]
        assert service["ExecStart"] == [f"/opt/arena/venv/bin/arena {command}"]
        assert service["WorkingDirectory"] == ["/var/lib/arena"] and service["StateDirectory"] == ["arena"]
        assert service["Restart"] == ["always"] and service["RestartSec"] and service["TimeoutStopSec"]
        after = " ".join(sections["Unit"]["After"]).split()
        assert {"network-online.target", "postgresql.service", "redis-server.service"} <= set(after)
        assert sections["Unit"]["RequiresMountsFor"] == ["/srv/arena/files"]
        assert sections["Install"]["WantedBy"] == ["multi-user.target"]


def test_nginx_prometheus_and_the_environment_agree_on_one_layout():
    nginx = (DEPLOY / "nginx" / "arena.conf").read_text()
    upstream = re.search(r"upstream arena \{(.*?)\}", nginx, re.S)
    assert upstream and set(re.findall(r"server (\S+)", upstream.group(1))) == APP_NODES
    assert "$request_id" in nginx.split("upstream arena")[0], "the log format carries the request id"
    assert "proxy_set_header X-Request-ID $request_id;" in nginx and "ssl_certificate_key" in nginx
    assert re.search(r"proxy_next_upstream [^;]*http_503", nginx), "a node answering 503 is skipped"
    prometheus = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    assert set(jobs["arena"]["static_configs"][0]["targets"]) == APP_NODES
    assert {target.split("//")[1].split("/")[0] for target in jobs["arena-ready"]["static_configs"][0]["targets"]} \
        == APP_NODES
    values = environment_file(ENV_FILE.read_text())
    assert values["ARENA_TRUSTED_PROXIES"] == "10.0.0.10" and "allow 10.0.0.40;" in nginx
    assert values["ARENA_PORT"] == "8000"


def test_the_alerts_watch_what_arena_exports():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {rule["alert"]: rule["expr"] for rule in rules}
    assert {"ArenaNodeNotReady", "ArenaWorkerSilent", "ArenaMailQueueGrowing", "ArenaLoginFailures"} <= set(alerts)
    exported = "\n".join(path.read_text() for path in (PROJECT_ROOT / "src" / "arena" / "observe").glob("*.py"))
    for expr in alerts.values():
        for metric in re.findall(r"\b(arena_[a-z_]+)", expr):
            assert metric.removesuffix("_total") in exported, f"{metric} is not exported by Arena"

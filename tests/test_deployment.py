"""docker-compose.yml, .env.example and the Dockerfile agree with the settings class."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.config import HEALTH_PATH, Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {name.upper() for name in Settings.model_fields}
REQUIRED = {name.upper() for name, field in Settings.model_fields.items() if field.is_required()}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _env_example_names() -> set[str]:
    """Variables .env.example sets or shows commented out (`# NAME=value`)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall((ROOT / ".env.example").read_text()))


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    names = _env_example_names()
    assert names <= SETTINGS, f"not settings: {names - SETTINGS}"
    assert names == SETTINGS, f"settings missing from .env.example: {SETTINGS - names}"
    required_line = re.search(r"^BOT_TOKEN=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert required_line, "required settings must be uncommented"


def test_compose_bot_environment_is_real_settings() -> None:
    bot = _compose()["services"]["bot"]
    environment = set(bot["environment"])
    assert environment <= SETTINGS, f"not settings: {environment - SETTINGS}"
    assert environment >= REQUIRED
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert interpolated <= SETTINGS, (
        f"compose reads variables that are not settings: {interpolated}"
    )
    database_url = Settings(
        bot_token="1:" + "x" * 30, database_url=bot["environment"]["DATABASE_URL"]
    )
    assert database_url.is_postgres


def test_compose_waits_for_a_healthy_database() -> None:
    services = _compose()["services"]
    db, bot = services["db"], services["bot"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert bot["restart"] in {"on-failure", "unless-stopped", "always"}
    assert bot["env_file"][0]["path"] == ".env"
    url = bot["environment"]["DATABASE_URL"]
    env = db["environment"]
    assert f"{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@db:5432/{env['POSTGRES_DB']}" in url


def test_dockerfile_runs_unprivileged_without_build_tools() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.split("\nFROM ")[-1]
    assert re.search(r"^USER (?!root)\w+", final_stage, re.MULTILINE)
    assert "gcc" not in final_stage
    assert "build-essential" not in final_stage
    assert 'CMD ["python", "-m", "bot"]' in final_stage
    for needed in ("alembic.ini", "alembic", "bot"):
        assert re.search(rf"^COPY {needed} ", final_stage, re.MULTILINE), needed


# -- the `scale` profile ----------------------------------------------------------------------

SCALE = {"redis", "set-webhook", "replica", "proxy"}


def _scale_services() -> dict[str, Any]:
    services: dict[str, Any] = _compose()["services"]
    return {name: services[name] for name in SCALE}


def _run_bot_entrypoint(webhook_url: str) -> subprocess.CompletedProcess[str]:
    """The polling service's entrypoint as its container runs it (Compose turns `$$` into
    `$`), with a stand-in for `python -m bot` that exits 3."""
    bot = _compose()["services"]["bot"]
    entrypoint = [part.replace("$$", "$") for part in bot["entrypoint"]]
    stand_in = [sys.executable, "-c", "raise SystemExit(3)"]
    env = {"PATH": os.environ["PATH"], "WEBHOOK_URL": webhook_url}
    return subprocess.run(
        [*entrypoint, *stand_in], env=env, capture_output=True, text=True, check=False
    )


def test_the_polling_bot_stands_down_when_the_replicas_serve() -> None:
    """`docker compose --profile scale up` starts the polling service too (it has no
    profile): with WEBHOOK_URL set it must exit at once, not poll and delete the webhook."""
    bot = _compose()["services"]["bot"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"CMD {json.dumps(bot['command'])}" in dockerfile  # the image's own command
    assert bot["environment"]["WEBHOOK_URL"] == "${WEBHOOK_URL:-}"  # from the shell too
    standing_down = _run_bot_entrypoint("https://bot.example.org/telegram")
    assert standing_down.returncode == 0
    assert "WEBHOOK_URL is set" in standing_down.stdout
    polling = _run_bot_entrypoint("")
    assert polling.returncode == 3  # the command itself ran, as its own process
    assert polling.stdout == ""


def test_the_scale_profile_runs_redis_the_webhook_replicas_and_a_proxy() -> None:
    services = _compose()["services"]
    profiled = {
        name for name, service in services.items() if "scale" in service.get("profiles", [])
    }
    assert profiled == SCALE
    assert "profiles" not in services["db"]  # PostgreSQL serves both ways
    assert "profiles" not in services["bot"]  # polling stays the default
    scale = _scale_services()
    for name in ("redis", "replica", "proxy"):
        assert scale[name]["healthcheck"]["test"], name
    assert scale["replica"]["deploy"]["replicas"] >= 2
    assert scale["set-webhook"]["command"] == ["python", "-m", "bot", "set-webhook"]
    needs = scale["replica"]["depends_on"]
    assert needs["db"]["condition"] == "service_healthy"
    assert needs["redis"]["condition"] == "service_healthy"
    assert needs["set-webhook"]["condition"] == "service_completed_successfully"
    assert scale["proxy"]["depends_on"]["replica"]["condition"] == "service_healthy"


def test_replicas_are_configured_with_real_settings_for_webhook_mode() -> None:
    scale = _scale_services()
    for name in ("set-webhook", "replica"):
        environment = set(scale[name]["environment"])
        assert environment <= SETTINGS, f"{name}: not settings: {environment - SETTINGS}"
        assert {"BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET"} <= environment
    replica = scale["replica"]["environment"]
    settings = Settings(
        bot_token="1:" + "x" * 30,
        database_url=replica["DATABASE_URL"],
        redis_url=replica["REDIS_URL"],
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="s",
        webhook_host=replica["WEBHOOK_HOST"],
        webhook_port=replica["WEBHOOK_PORT"],
    )
    assert settings.is_postgres
    assert settings.webhook_mode
    assert settings.redis_url == "redis://redis:6379/0"
    assert f"127.0.0.1:{settings.webhook_port}{HEALTH_PATH}" in " ".join(
        scale["replica"]["healthcheck"]["test"]
    )


def test_the_proxy_config_is_mounted_and_points_at_the_replicas() -> None:
    proxy = _scale_services()["proxy"]
    mounted = {volume.split(":")[0]: volume.split(":")[1] for volume in proxy["volumes"]}
    assert mounted["./deploy/nginx.conf"] == "/etc/nginx/conf.d/default.conf"
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    replica_port = _scale_services()["replica"]["environment"]["WEBHOOK_PORT"]
    assert re.search(rf"server replica:{replica_port};", config)
    webhook_path = Settings.model_fields["webhook_path"].default
    assert f"location = {webhook_path} " in config
    assert f"location = {HEALTH_PATH} " in config
    assert config.count("proxy_pass http://replicas;") == 2


def test_docker_compose_accepts_the_scale_profile() -> None:
    """`docker compose --profile scale config` where Compose is installed; where it is
    not (here, CI), the same file is read as YAML by the tests above."""
    docker = shutil.which("docker")
    has_compose = (
        docker is not None
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    )
    if not has_compose:
        assert _compose()["services"]["replica"]["profiles"] == ["scale"]
        return
    assert docker is not None
    env = {
        **os.environ,
        "BOT_TOKEN": "1:" + "x" * 30,
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": "s",
    }
    result = subprocess.run(
        [docker, "compose", "--profile", "scale", "config", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

"""docker-compose.yml, .env.example and the Dockerfile agree with the settings class."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

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

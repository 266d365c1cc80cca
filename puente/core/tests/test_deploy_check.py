"""Production configuration: `check --deploy` is clean with only the documented variables set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE_", "DEBUG", "SECRET_KEY", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PUENTE_MODE="production",
        SECRET_KEY="x" * 30 + "-production-secret-key-for-the-check-0123456789",
        ALLOWED_HOSTS="puente.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", PUENTE_MODE="production", ALLOWED_HOSTS="puente.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("file-secret-" + "y" * 50 + "\n")
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PUENTE_MODE="production",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="puente.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr

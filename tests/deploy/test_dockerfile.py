"""docker/Dockerfile: what can be checked without a Docker engine (CI's `image` job builds and scans it)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from tests.deploy.tooling import DOCKER_DIR, REPO_ROOT, VENV_BIN

DOCKERFILE = DOCKER_DIR / "Dockerfile"
DOCKERIGNORE = DOCKER_DIR / "Dockerfile.dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last_from = max(index for index, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_the_image_is_built_in_two_stages_from_slim_python_311():
    stages = [arguments for keyword, arguments in instructions() if keyword == "FROM"]

    assert stages == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim-bookworm") in instructions()


def test_the_builder_installs_the_pinned_production_requirements():
    runs = [arguments for keyword, arguments in instructions() if keyword == "RUN"]

    assert any("pip install" in run and "-r /tmp/requirements/prod.txt" in run for run in runs)


def test_the_final_image_runs_as_an_unprivileged_user():
    users = [arguments for keyword, arguments in final_stage() if keyword == "USER"]

    assert users == ["10001:10001"]


def test_the_health_check_asks_for_liveness():
    healthchecks = [arguments for keyword, arguments in final_stage() if keyword == "HEALTHCHECK"]

    assert len(healthchecks) == 1
    assert '"http://127.0.0.1:8000/health/live"' in healthchecks[0]
    assert '"/app/docker/healthcheck.py"' in healthchecks[0]


def test_the_default_command_is_the_web_services(resolved_compose):
    commands = [arguments for keyword, arguments in final_stage() if keyword == "CMD"]

    assert commands == ['["gunicorn", "config.wsgi:application", "--config", "/app/docker/gunicorn.conf.py"]']
    assert resolved_compose["services"]["web"]["command"] == [
        "gunicorn", "config.wsgi:application", "--config", "/app/docker/gunicorn.conf.py"
    ]


def test_every_copied_file_exists_and_is_in_the_build_context():
    copied = []
    for keyword, arguments in final_stage():
        if keyword == "COPY" and not arguments.startswith("--from"):
            *sources, _destination = arguments.split()
            copied.extend(sources)
    allowed = {line.lstrip("!") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")}

    assert copied == ["manage.py", "config/", "transport/", "apps/", "docker/gunicorn.conf.py",
                      "docker/healthcheck.py", "docker/uvicorn-logging.json"]
    for source in copied:
        assert (REPO_ROOT / source).exists(), source
        assert source in allowed, source


@pytest.mark.slow
def test_the_build_steps_collectstatic_needs_no_running_service(tmp_path):
    # given the environment the Dockerfile gives its collectstatic step, and nothing else
    run = next(arguments for keyword, arguments in final_stage() if keyword == "RUN" and "collectstatic" in arguments)
    step = run[run.index("DJANGO_SECRET_KEY=") : run.index("&& chown")]
    words = shlex.split(step)
    assignments = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    command = [word for word in words if not re.match(r"^[A-Z_]+=", word)]
    environment = {
        **assignments,
        "PATH": str(VENV_BIN),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STATIC_ROOT": str(tmp_path / "static"),
        "TRANSPORT_VAR_DIR": str(tmp_path / "var"),
    }

    # when it runs
    assert command == ["python", "manage.py", "collectstatic", "--noinput"]
    result = subprocess.run([sys.executable, *command[1:]], cwd=REPO_ROOT, env=environment, capture_output=True,
                            text=True, timeout=300, check=False)

    # then the files are collected and no embedded server or generated secret was needed
    assert result.returncode == 0, result.stderr
    assert sorted(assignments) == ["CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL"]
    assert (tmp_path / "static" / "admin" / "css" / "base.css").is_file()
    assert not (tmp_path / "var").exists()

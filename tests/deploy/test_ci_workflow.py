"""The GitHub Actions workflow runs lint, the tests against real services, and the image build and scan."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy.tooling import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def steps_of(job: dict) -> list[str]:
    return [step.get("run") or step.get("uses") for step in job["steps"]]


def test_it_runs_on_pushes_to_main_and_on_pull_requests(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean

    assert triggers == {"push": {"branches": ["main"]}, "pull_request": None}


def test_the_job_names_are_the_required_checks(workflow):
    names = {key: job["name"] for key, job in workflow["jobs"].items()}

    assert names == {"lint": "lint", "test": "test", "image": "image"}
    assert 'contexts": ["lint", "test", "image"]' in WORKFLOW.read_text()


def test_lint_runs_ruff_the_import_contracts_and_the_type_checker(workflow):
    assert steps_of(workflow["jobs"]["lint"])[-3:] == ["make lint", "make contracts", "make typecheck"]


def test_tests_run_against_healthy_service_containers(workflow):
    job = workflow["jobs"]["test"]

    assert {name: service["image"] for name, service in job["services"].items()} == {
        "postgres": "postgres:16", "redis": "redis:7", "rabbitmq": "rabbitmq:3"
    }
    for name, service in job["services"].items():
        assert "--health-cmd" in service["options"], name
    assert job["env"] == {
        "DATABASE_URL": "postgres://postgres:postgres@localhost:5432/transport",
        "REDIS_URL": "redis://localhost:6379/0",
        "CELERY_BROKER_URL": "amqp://transport:transport@localhost:5672//",
        "AI_REPORTING_PASSWORD": "reporting",  # the service container's PostgreSQL asks every login for one
    }
    assert steps_of(job)[-3:] == [
        "sudo apt-get update && sudo apt-get install -y nginx", "make test", "make test-embedded"
    ]


def test_the_newcomers_path_runs_with_the_service_variables_unset():
    makefile = (REPO_ROOT / "Makefile").read_text()
    ci_run = (REPO_ROOT / ".ci" / "run").read_text().splitlines()

    assert "\tenv -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL $(BIN)/pytest $(EMBEDDED_TESTS)" in makefile
    assert "EMBEDDED_TESTS ?= tests/runtime transport/events transport/tests/test_health.py" in makefile
    assert ci_run[-2:] == ["make test", "make test-embedded"]


def test_the_image_is_built_from_the_dockerfile_and_scanned(workflow):
    steps = workflow["jobs"]["image"]["steps"]
    build = next(step for step in steps if step.get("uses", "").startswith("docker/build-push-action@"))
    scan = next(step for step in steps if step.get("uses", "").startswith("aquasecurity/trivy-action@"))

    assert build["with"]["file"] == "docker/Dockerfile"
    assert build["with"]["tags"] == scan["with"]["image-ref"] == "transport-platform:ci"
    assert re.fullmatch(r"aquasecurity/trivy-action@[0-9a-f]{40}", scan["uses"])
    assert scan["with"]["severity"] == "CRITICAL,HIGH"
    assert scan["with"]["exit-code"] == "1"


def test_every_action_is_pinned(workflow):
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]

    assert uses != []
    for reference in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+|[0-9a-f]{40})", reference), reference

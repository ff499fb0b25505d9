"""docker/compose.yml: a valid compose model whose services start in the right order and report their health."""

from __future__ import annotations

import json
import re

from tests.deploy.compose_config import REQUIRED_SECRETS, env_example_with, run_compose_config
from tests.deploy.tooling import COMPOSE_FILE, DOCKER_DIR, ENV_EXAMPLE, REPO_ROOT
from transport.management.commands.run_platform import WS_IMPLEMENTATION, WS_MAX_BYTES

APP_SERVICES = ("web", "ws", "worker", "beat")
ONE_SHOT_SERVICES = ("migrate", "collectstatic")
BACKING_SERVICES = ("postgres", "redis", "rabbitmq")

ENV_READ = re.compile(r"""\benv_(?:str|int|bool|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
GUNICORN_ENV_READ = re.compile(r"""(?:_env_int|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
COMPOSE_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")


def test_compose_file_parses_into_the_expected_services(compose):
    assert sorted(compose["services"]) == sorted(
        ["nginx", *APP_SERVICES, *ONE_SHOT_SERVICES, *BACKING_SERVICES]
    )


def test_every_long_running_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        if name in ONE_SHOT_SERVICES:
            assert service["restart"] == "no", name
            assert service["healthcheck"] == {"disable": True}, name
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_app_processes_wait_for_healthy_backing_services_and_finished_migrations(resolved_compose):
    for name in APP_SERVICES:
        depends_on = resolved_compose["services"][name]["depends_on"]
        conditions = {dependency: rule["condition"] for dependency, rule in depends_on.items()}
        assert conditions == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "rabbitmq": "service_healthy",
            "migrate": "service_completed_successfully",
        }, name


def test_migrate_waits_for_postgres_only(resolved_compose):
    depends_on = resolved_compose["services"]["migrate"]["depends_on"]

    assert {name: rule["condition"] for name, rule in depends_on.items()} == {"postgres": "service_healthy"}


def test_the_gateway_waits_for_its_upstreams_and_the_static_files(resolved_compose):
    depends_on = resolved_compose["services"]["nginx"]["depends_on"]

    assert {name: rule["condition"] for name, rule in depends_on.items()} == {
        "web": "service_healthy",
        "ws": "service_healthy",
        "collectstatic": "service_completed_successfully",
    }
    assert depends_on["web"]["restart"] is True
    assert depends_on["ws"]["restart"] is True


def test_only_the_gateway_is_published(resolved_compose):
    published = {name: service["ports"] for name, service in resolved_compose["services"].items() if "ports" in service}

    assert list(published) == ["nginx"]
    assert [(port["target"], port["published"]) for port in published["nginx"]] == [(80, "80")]


def test_data_lives_in_named_volumes(resolved_compose):
    def named_volumes(service: str) -> dict[str, str]:
        mounts = resolved_compose["services"][service]["volumes"]
        return {mount["target"]: mount["source"] for mount in mounts if mount["type"] == "volume"}

    assert named_volumes("postgres") == {"/var/lib/postgresql/data": "postgres-data"}
    assert named_volumes("redis") == {"/data": "redis-data"}
    assert named_volumes("rabbitmq") == {"/var/lib/rabbitmq": "rabbitmq-data"}
    assert named_volumes("collectstatic") == {"/srv/static": "static"}
    assert named_volumes("nginx") == {"/srv/static": "static"}
    assert sorted(resolved_compose["volumes"]) == ["postgres-data", "rabbitmq-data", "redis-data", "static"]


def test_app_processes_get_service_urls_built_from_the_passwords(resolved_compose):
    for name in (*APP_SERVICES, *ONE_SHOT_SERVICES):
        environment = resolved_compose["services"][name]["environment"]
        assert environment["DATABASE_URL"] == "postgres://transport:compose-check-postgres@postgres:5432/transport"
        assert environment["REDIS_URL"] == "redis://:compose-check-redis@redis:6379/0"
        assert environment["CELERY_BROKER_URL"] == "amqp://transport:compose-check-rabbitmq@rabbitmq:5672/transport"
        assert environment["DJANGO_SECRET_KEY"] == "compose-check-secret"
        assert environment["JWT_PRIVATE_KEY"] == "compose-check-signing-key"


def test_compose_refuses_to_start_while_a_secret_is_empty():
    # given env.example copied as it is, every required value still empty
    result = run_compose_config(ENV_EXAMPLE.read_text())

    # then compose stops and names each one
    assert result.returncode != 0
    assert result.stdout == ""
    for secret in REQUIRED_SECRETS:
        assert f"set {secret} in docker/.env" in result.stderr, secret


def test_compose_uses_the_settings_from_the_env_file_it_is_given():
    result = run_compose_config(env_example_with({**REQUIRED_SECRETS, "DJANGO_ALLOWED_HOSTS": "buses.example.org"}))

    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in (*APP_SERVICES, *ONE_SHOT_SERVICES):
        assert services[name]["environment"]["DJANGO_ALLOWED_HOSTS"] == "buses.example.org", name


def test_env_example_names_every_variable_the_deployment_reads():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    settings_modules = (REPO_ROOT / "config").glob("*.py")
    read_by_settings = {name for path in settings_modules for name in ENV_READ.findall(path.read_text())}
    read_by_gunicorn = set(GUNICORN_ENV_READ.findall((DOCKER_DIR / "gunicorn.conf.py").read_text()))
    interpolated_by_compose = set(COMPOSE_INTERPOLATION.findall(COMPOSE_FILE.read_text()))

    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "STATIC_ROOT"} <= read_by_settings  # the scan finds them
    assert sorted(read_by_settings - listed) == []
    assert sorted(read_by_gunicorn - listed) == []
    assert sorted(interpolated_by_compose - listed) == []


def test_the_websocket_server_is_configured_as_the_local_one(compose):
    assert f"--ws={WS_IMPLEMENTATION}" in compose["services"]["ws"]["command"]
    assert f"--ws-max-size={WS_MAX_BYTES}" in compose["services"]["ws"]["command"]
    assert "--ws-per-message-deflate=false" in compose["services"]["ws"]["command"]

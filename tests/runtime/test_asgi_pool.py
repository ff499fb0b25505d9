import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import json, config.asgi; from django.conf import settings; d = settings.DATABASES['default'];"
    "print(json.dumps({'pool': d['OPTIONS'].get('pool'), 'max_age': d['CONN_MAX_AGE']}))"
)


def database_settings_under(entry_env: dict[str, str]) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DB_POOL_MAX_SIZE"}
    env.update(entry_env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_asgi_server_uses_a_connection_pool_by_default():
    database = database_settings_under({"DJANGO_SETTINGS_MODULE": "config.settings"})

    assert database["pool"]["max_size"] == 8
    assert database["max_age"] == 0


def test_the_asgi_pool_size_can_be_set():
    database = database_settings_under({"DJANGO_SETTINGS_MODULE": "config.settings", "DB_POOL_MAX_SIZE": "3"})

    assert database["pool"]["max_size"] == 3

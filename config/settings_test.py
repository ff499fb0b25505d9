"""Test settings: the real services (from the environment, or embedded), plus test-only apps."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS, LOGGING

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; argon2 is tested in identity
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}

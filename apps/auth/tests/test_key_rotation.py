"""Rotation: a new key signs; the old public key still verifies until it is retired, then its tokens fail."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from apps.auth.jwt.keys import current_keys, key_id, new_private_key_pem, public_key_pem
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new_keys(settings):
    old_private, new_private = new_private_key_pem(), new_private_key_pem()
    settings.JWT_PRIVATE_KEY = old_private
    settings.JWT_KEY_ID = "2026-01"
    settings.JWT_PREVIOUS_PUBLIC_KEYS = []
    return old_private, new_private


def _me(api, token: str):
    return api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_tokens_of_the_old_key_verify_during_rotation_and_fail_once_it_is_retired(api, settings, old_and_new_keys):
    old_private, new_private = old_and_new_keys
    user = make_user()
    old_token = access_token_for(user)
    assert _me(api, old_token).status_code == 200

    # rotation: the new key signs; the old public key stays as a verifying key
    settings.JWT_PRIVATE_KEY = new_private
    settings.JWT_KEY_ID = "2026-02"
    settings.JWT_PREVIOUS_PUBLIC_KEYS = [f"2026-01:{public_key_pem(old_private)}"]
    new_token = access_token_for(user)
    during = (_me(api, old_token).status_code, _me(api, new_token).status_code)

    # retirement: the old public key is gone
    settings.JWT_PREVIOUS_PUBLIC_KEYS = []
    after = (_me(api, old_token).status_code, _me(api, new_token).status_code)

    assert during == (200, 200)
    assert after == (401, 200)


def test_previous_public_keys_may_be_files(api, settings, old_and_new_keys, tmp_path):
    old_private, new_private = old_and_new_keys
    user = make_user()
    old_token = access_token_for(user)
    public_file = tmp_path / "old.pem"
    public_file.write_text(public_key_pem(old_private))

    settings.JWT_PRIVATE_KEY = new_private
    settings.JWT_KEY_ID = "2026-02"
    settings.JWT_PREVIOUS_PUBLIC_KEYS = [f"2026-01:{public_file}"]

    assert _me(api, old_token).status_code == 200


def test_the_private_key_may_be_a_file_and_the_key_id_defaults_to_its_fingerprint(api, settings, tmp_path):
    private = new_private_key_pem()
    key_file = tmp_path / "signing.pem"
    key_file.write_text(private)
    settings.JWT_PRIVATE_KEY = ""
    settings.JWT_PRIVATE_KEY_FILE = str(key_file)
    settings.JWT_KEY_ID = ""
    user = make_user()

    token = access_token_for(user)

    public = serialization.load_pem_public_key(public_key_pem(private).encode())
    assert jwt.get_unverified_header(token)["kid"] == key_id(public)
    assert _me(api, token).status_code == 200


def test_a_local_run_without_keys_generates_one_under_the_var_folder(settings, tmp_path):
    settings.JWT_PRIVATE_KEY = ""
    settings.JWT_PRIVATE_KEY_FILE = ""
    settings.JWT_KEY_ID = ""
    settings.VAR_DIR = tmp_path

    first = current_keys()

    assert (tmp_path / "jwt" / "signing_key.pem").exists()
    assert (tmp_path / "jwt" / "signing_key.pem").stat().st_mode & 0o777 == 0o600
    assert list(first.verifying_keys) == [first.signing_kid]

"""JWT signing keys: one private key signs (with its key id); its public key and retired-soon ones verify.

Keys come from the environment (JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, JWT_KEY_ID,
JWT_PREVIOUS_PUBLIC_KEYS). With none given, a local run generates an Ed25519 key under ./var/jwt/ so
`make run` works on a fresh machine; production must set them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PEM_HEADER = "-----BEGIN"


@dataclass(frozen=True)
class KeySet:
    signing_kid: str
    signing_key: ed25519.Ed25519PrivateKey
    verifying_keys: dict[str, ed25519.Ed25519PublicKey]


def current_keys() -> KeySet:
    """The key set the settings describe now; rebuilt only when those settings change."""
    return _load(
        settings.JWT_PRIVATE_KEY,
        settings.JWT_PRIVATE_KEY_FILE,
        settings.JWT_KEY_ID,
        tuple(settings.JWT_PREVIOUS_PUBLIC_KEYS),
        str(settings.VAR_DIR),
    )


@lru_cache(maxsize=8)
def _load(private_pem: str, private_file: str, kid: str, previous: tuple[str, ...], var_dir: str) -> KeySet:
    if private_file:
        private_pem = Path(private_file).read_text()
    if not private_pem:
        private_pem = _local_key_pem(Path(var_dir) / "jwt" / "signing_key.pem")
    signing_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(signing_key, ed25519.Ed25519PrivateKey):
        raise ImproperlyConfigured("JWT_PRIVATE_KEY must be an Ed25519 private key (the algorithm is pinned: EdDSA).")
    public = signing_key.public_key()
    kid = kid or key_id(public)
    verifying = {kid: public}
    for entry in previous:
        old_kid, _, value = entry.partition(":")
        if not old_kid or not value:
            raise ImproperlyConfigured('JWT_PREVIOUS_PUBLIC_KEYS entries look like "kid:PEM" or "kid:/path.pem".')
        verifying[old_kid.strip()] = _public_key(value.strip())
    return KeySet(signing_kid=kid, signing_key=signing_key, verifying_keys=verifying)


def _public_key(value: str) -> ed25519.Ed25519PublicKey:
    pem = value if value.startswith(PEM_HEADER) else Path(value).read_text()
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ImproperlyConfigured("Every JWT verifying key must be an Ed25519 public key.")
    return key


def key_id(public: ed25519.Ed25519PublicKey) -> str:
    """A stable id for a public key: the start of the sha256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_private_key_pem() -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_key_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _local_key_pem(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_private_key_pem())
        path.chmod(0o600)
    return path.read_text()

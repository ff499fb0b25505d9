"""Provider credentials at rest: a Fernet token of their JSON under PAYMENT_CREDENTIALS_KEYS (the kernel's
transport.credentials does the work; these keys are payment's own).

The first key encrypts, every key decrypts, so a key is rotated by putting a new one first, re-encrypting
(`manage.py payment_rotate_credentials`) and dropping the old one. Decrypted credentials live in memory for one
provider call; they are never returned by an API, logged or shown (the admin masks the secret fields).
"""

from __future__ import annotations

from transport.credentials import CredentialsBox, CredentialsUnreadable, masked

__all__ = ["CredentialsUnreadable", "decrypt", "encrypt", "masked", "rotate"]

_box = CredentialsBox("PAYMENT_CREDENTIALS_KEYS")
encrypt = _box.encrypt
decrypt = _box.decrypt
rotate = _box.rotate

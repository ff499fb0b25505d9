"""Companies' SMS gateway credentials at rest: a Fernet token of their JSON under NOTIFICATION_CREDENTIALS_KEYS,
notification's own keys (the kernel's transport.credentials does the work, as it does for payment's).

The first key encrypts, every key decrypts: rotate by putting a new key first, running
`manage.py notification_rotate_credentials`, then dropping the old one. Decrypted credentials live in a backend
for its calls; they are never returned by an API, logged or shown (the admin masks the secret ones).
"""

from __future__ import annotations

from transport.credentials import CredentialsBox, CredentialsUnreadable, masked

__all__ = ["CredentialsUnreadable", "decrypt", "encrypt", "masked", "rotate"]

_box = CredentialsBox("NOTIFICATION_CREDENTIALS_KEYS")
encrypt = _box.encrypt
decrypt = _box.decrypt
rotate = _box.rotate

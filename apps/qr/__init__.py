"""QR codes: ticket codes: HMAC-SHA256 signing and verification, key rotation, QR images."""

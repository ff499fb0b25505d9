"""Bearer JWTs end to end: signing keys, access and refresh tokens, claims -> Principal, the revocation marks
and role bundles that keep claims fresh, and the edge adapters (DRF, Channels) that also take device
credentials."""

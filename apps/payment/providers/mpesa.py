"""The mpesa provider: written next."""

"""The paypal provider: written next."""

"""The mtn_momo provider: written next."""

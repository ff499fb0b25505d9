"""Issued tickets, their signed codes and what a holder may see of them."""

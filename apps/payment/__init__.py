"""Payments: payment intents, providers (M-Pesa, MTN MoMo, PayPal, sandbox), callbacks, refunds."""

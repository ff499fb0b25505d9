"""Local emulators of the payment providers' HTTP APIs (PROVIDERS.md): for tests and the demo only.

Production code never imports this package; `make run` serves them when no provider base URL is configured
(`python -m apps.payment.emulators`), and tests start them in a thread (transport.emulators.serving.EmulatorServer).
"""

"""Local emulators of the SMS gateways' HTTP APIs (PROVIDERS.md section 4): for tests, the bench and the demo only.

Africa's Talking (`python -m apps.notification.emulators.africastalking`) and Twilio
(`python -m apps.notification.emulators.twilio`), one process each: `make run` starts each one whose variables
are not all configured (settings.TRANSPORT_LOCAL_EMULATORS); tests serve them in a thread
(transport.emulators.serving.EmulatorServer). Both are scriptable per number and keep an inbox of what they were
asked to send, under /_emu/ (control.py). Production code never imports this package.
"""

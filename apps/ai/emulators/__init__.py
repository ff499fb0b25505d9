"""A local emulator of Gemini's generateContent REST endpoint (PROVIDERS.md section 5): for tests, the evaluation,
the bench and the demo only.

`python -m apps.ai.emulators.gemini --port 8030`: `make run` starts it when no Gemini key is configured
(settings.TRANSPORT_LOCAL_EMULATORS); tests serve it in a thread (transport.emulators.serving.EmulatorServer).
Its answers are scripted under /_emu/ (state.py), so the real google-genai client runs offline. Production code
never imports this package.
"""

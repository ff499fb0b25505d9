"""The schema test's providers: questions reach the Gemini emulator, which declines what no test scripted (a 422),
so a generated question is answered as documented rather than failing for want of a model."""

from apps.ai.tests.gemini_emulator import *  # noqa: F403  (the Gemini emulator)

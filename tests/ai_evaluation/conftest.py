from apps.ai.tests.evaluation_data import *  # noqa: F403  (the evaluation's data, seeded per module asking)

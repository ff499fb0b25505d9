"""How many questions a user and a company may ask: fixed windows counted in Redis (a window starts with its first
question). Each question costs a model call, so the counters are checked before the model is asked.

One Lua script checks every counter and, only when all are under their limits, counts the question in each,
atomically: concurrent questions cannot slip past a limit, and a refused question counts nowhere (a user over
their own limit does not use up the company's day).
"""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

import redis
from django.conf import settings

from apps.ai.questions.errors import QuestionsLimited
from transport.errors import ServiceUnavailable
from transport.redis_client import client_for

HOUR = 3600
DAY = 86_400

_CHECK_THEN_COUNT = """
for i, key in ipairs(KEYS) do
    local n = tonumber(redis.call('GET', key) or '0')
    if n >= tonumber(ARGV[2 * i - 1]) then
        local ttl = redis.call('TTL', key)
        if ttl < 0 then ttl = tonumber(ARGV[2 * i]) end
        return {i, ttl}
    end
end
for i, key in ipairs(KEYS) do
    if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return {0, 0}
"""


@cache
def _script(url: str) -> Any:
    return client_for(url).register_script(_CHECK_THEN_COUNT)


def _key(dimension: str, value: UUID) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'transport')}:ai:questions:{dimension}:{value}"


def question_count(*, user_id: UUID, company_id: UUID) -> None:
    """Count one question for the user and the company, or raise QuestionsLimited (counting nothing)."""
    counters = [
        (_key("user", user_id), settings.AI_QUESTIONS_PER_USER_PER_HOUR, HOUR, "you may ask {limit} an hour"),
        (_key("company", company_id), settings.AI_QUESTIONS_PER_COMPANY_PER_DAY, DAY,
         "your company may ask {limit} a day"),
    ]
    args = [value for _key_, limit, window, _said in counters for value in (limit, window)]
    try:
        over, ttl = _script(settings.REDIS_URL)(keys=[key for key, *_ in counters], args=args)
    except redis.RedisError as exc:
        raise ServiceUnavailable("The question limits cannot be checked now; try again later.",
                                 code="ai_limits_unavailable") from exc
    if int(over):
        _key_, limit, _window, said = counters[int(over) - 1]
        raise QuestionsLimited(f"Too many questions: {said.format(limit=limit)}.", retry_after=max(int(ttl), 1))

"""The watchers' hub: one Redis subscription per group per process, whatever its number of watchers.

Each event loop serving watchers (an ASGI process has one) keeps one hub, from its first watcher to its last. The
hub listens on one Redis connection (redis.asyncio), subscribed to the channel of each group some watcher of it
follows (named and serialized as apps/tracking/fanout.py publishes): subscribed when a group's first watcher joins,
unsubscribed when its last one leaves. Each message is unpacked once and handed to its group's feed
(apps/tracking/websockets/feed.py), which makes one frame per tick for all its watchers.

A watcher joins before its snapshot is read: `join` returns once Redis confirmed the group's subscription, so any
update published after that reaches the group, and the watcher holds it until its snapshot went out.

When the connection breaks (Redis restarted, a network cut), the hub logs it, connects again (waiting a little
longer after each failure, up to RECONNECT_MAX_SECONDS) and subscribes to every group it follows. What was
published while it was away is lost to the watchers, as it is to a process that was not there: each bus's next
update carries its position."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from contextlib import suppress
from typing import Any

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from apps.tracking import fanout
from apps.tracking.websockets.feed import GroupFeed, Send, Watcher

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 2
RECONNECT_FIRST_SECONDS = 0.1
RECONNECT_MAX_SECONDS = 5

_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def watch_hub() -> Hub:
    """This event loop's hub (made with its first watcher)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(loop, settings.REDIS_URL)
    return hub


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop, redis_url: str) -> None:
        self._loop = loop
        self._redis_url = redis_url  # where apps/tracking/fanout.py publishes
        self._feeds: dict[bytes, GroupFeed] = {}
        self._client: redis.asyncio.Redis | None = None
        self._pubsub: PubSub | None = None
        self._generation = 0  # one per Redis connection
        # Redis confirms each SUBSCRIBE on a connection in order: per channel, the feed each confirmation is for
        self._confirming: dict[bytes, deque[GroupFeed]] = {}
        self._commands = asyncio.Lock()  # (un)subscriptions and (re)connections, one at a time, in order
        self._listener: asyncio.Task[None] | None = None

    async def join(self, group: str, send: Send) -> Watcher:
        """Follow `group`: the watcher is registered (and holds what the group hears) once this returns."""
        channel = fanout.group_channel(group).encode()
        feed = self._feeds.get(channel)
        if feed is None:
            feed = self._feeds[channel] = GroupFeed(channel, tick_seconds=settings.TRACKING_WS_TICK_MS / 1000)
        watcher = feed.watch(send)
        try:
            if self._listener is None:
                self._listener = asyncio.ensure_future(self._listen())
            await self._subscribe(feed)
            await asyncio.shield(feed.subscribed)
        except BaseException:
            await self.leave(watcher)
            raise
        return watcher

    async def leave(self, watcher: Watcher) -> None:
        watcher.leave()
        feed = watcher.feed
        feed.watchers.pop(watcher, None)
        if feed.watchers or self._feeds.get(feed.channel) is not feed:
            return
        del self._feeds[feed.channel]
        feed.close()
        if not self._feeds:
            await self._stop()
            return
        async with self._commands:
            if self._pubsub is not None:
                # if the connection broke, the listener sees it too, and subscribes only to the groups followed
                with suppress(redis.RedisError):
                    await self._pubsub.unsubscribe(feed.channel)

    async def _subscribe(self, feed: GroupFeed) -> None:
        async with self._commands:
            if self._pubsub is None or feed.generation == self._generation or feed.subscribed.done():
                return  # the listener subscribes to every group followed when it connects
            feed.generation = self._generation
            self._confirming.setdefault(feed.channel, deque()).append(feed)
            # if the connection broke, the listener sees it too, and subscribes again to every group followed
            with suppress(redis.RedisError):
                await self._pubsub.subscribe(feed.channel)

    async def _stop(self) -> None:
        """The last group left: close the connection (Redis forgets its subscriptions) and forget the hub."""
        if _hubs.get(self._loop) is self:
            del _hubs[self._loop]
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.wait((listener,))

    async def _listen(self) -> None:
        wait = RECONNECT_FIRST_SECONDS
        try:
            while True:
                try:
                    pubsub = await self._connect()
                    if wait > RECONNECT_FIRST_SECONDS:
                        logger.warning("tracking.hub_reconnected", extra={"groups": len(self._feeds)})
                    wait = RECONNECT_FIRST_SECONDS
                    while True:
                        message = await pubsub.get_message(timeout=None)
                        if message is not None:
                            self._take(message)
                except (redis.RedisError, OSError) as error:
                    logger.warning("tracking.hub_disconnected",
                                   extra={"error": repr(error), "retry_in_seconds": wait, "groups": len(self._feeds)})
                    await self._disconnect()
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, RECONNECT_MAX_SECONDS)
        finally:
            await self._disconnect()

    async def _connect(self) -> PubSub:
        """A new connection, subscribed to every group followed."""
        async with self._commands:
            self._generation += 1
            client = redis.asyncio.Redis.from_url(
                self._redis_url, retry=Retry(NoBackoff(), 0),  # the listener reconnects, and resubscribes, itself
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
            pubsub = client.pubsub()
            self._confirming = {channel: deque([feed]) for channel, feed in self._feeds.items()}
            for feed in self._feeds.values():
                feed.generation = self._generation
            try:
                await pubsub.subscribe(*self._feeds)
            except BaseException:
                await pubsub.aclose()
                await client.aclose()
                raise
            self._client, self._pubsub = client, pubsub
            return pubsub

    async def _disconnect(self) -> None:
        async with self._commands:
            client, pubsub, self._client, self._pubsub = self._client, self._pubsub, None, None
            if pubsub is not None and client is not None:
                await pubsub.aclose()
                await client.aclose()

    def _take(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        if message["type"] == "message":
            feed = self._feeds.get(channel)
            if feed is None:
                return  # a group just left, whose unsubscription Redis has not yet seen
            try:
                feed.hear(fanout.message_unpack(message["data"]))
            except Exception:
                logger.exception("tracking.hub_bad_message", extra={"channel": channel.decode(errors="replace")})
        elif message["type"] == "subscribe":
            confirming = self._confirming.get(channel)
            if confirming:
                subscribed = confirming.popleft().subscribed
                if not subscribed.done():
                    subscribed.set_result(None)

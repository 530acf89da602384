"""Exactly one beat per deployment: ``feecollect beat`` holds a lock in the Redis broker while it runs
and refuses to start while another beat holds it. A beat that dies stops renewing the lock, and it
lapses within ``TTL_SECONDS``; a beat that loses it (Redis flushed, a long pause) exits rather than run
the schedule twice."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

import redis

KEY = "feecollect:beat"
TTL_SECONDS = 60
log = logging.getLogger("feecollect.beat")

# Renew or release only a lock that is still ours.
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class BeatLock:
    def __init__(self, url: str):
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=5)
        self.holder = f"{socket.gethostname()} pid {os.getpid()} ({uuid.uuid4().hex[:8]})"
        self._stop = threading.Event()

    @classmethod
    def for_broker(cls, url: str) -> BeatLock | None:
        """A lock where the broker is Redis; other brokers are not locked (deploy/README.md)."""
        return cls(url) if url.startswith(("redis://", "rediss://")) else None

    def acquire(self) -> str | None:
        """None when taken; otherwise who holds it."""
        if self._redis.set(KEY, self.holder, nx=True, ex=TTL_SECONDS):
            threading.Thread(target=self._renew, name="beat-lock", daemon=True).start()
            return None
        held = self._redis.get(KEY)
        return held.decode() if isinstance(held, bytes) else "another beat"

    def release(self) -> None:
        self._stop.set()
        self._redis.eval(_RELEASE, 1, KEY, self.holder)

    def _renew(self) -> None:
        while not self._stop.wait(TTL_SECONDS / 3):
            try:
                kept = self._redis.eval(_RENEW, 1, KEY, self.holder, TTL_SECONDS)
            except redis.RedisError as exc:
                log.warning("beat lock not renewed: %s", type(exc).__name__)
                continue
            if not kept:
                log.error("beat lock lost to another beat; stopping so the schedule runs once")
                os._exit(3)

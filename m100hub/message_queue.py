"""The Socket.IO message queue on Redis, made to come back within a second or two.

python-socketio's own Redis listener waits 1, 2, 4 … up to 60 s between attempts, so after
an outage of a minute the web processes heard each other again only 25–50 s after Redis
returned, and whatever was pushed meanwhile was lost. This one tries again every
``RETRY_SECONDS``, and once subscribed again tells the pages connected to this process to
catch up (``CATCH_UP``: static/js/app.js then asks for its unread count, notifications/
sockets.py answers), since pushes from other processes were lost while Redis was away.
Pushes to pages connected to the pushing process itself never need Redis: python-socketio
delivers them in the process before publishing.
"""

from __future__ import annotations

import logging
import time

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

#: how long the listener waits before it tries Redis again
RETRY_SECONDS = 1.0
#: the event that tells a page that pushes may have been lost and it should catch up
CATCH_UP = "catch-up"


class RedisMessageQueue(socketio.RedisManager):
    """python-socketio's RedisManager with a listener that retries every RETRY_SECONDS and
    announces CATCH_UP to this process's pages after it was cut off."""

    def _redis_listen_with_retries(self):
        cut_off = False
        while True:
            pubsub = None
            try:
                pubsub = self._subscribe()
                if cut_off:
                    cut_off = False
                    logger.warning("the Socket.IO message queue answers again")
                    self.server.emit(CATCH_UP, {}, namespace="/", ignore_queue=True)
                yield from pubsub.listen()
            except Exception as error:  # noqa: BLE001 (whatever Redis raises: try again)
                if not cut_off:
                    logger.warning("the Socket.IO message queue is unreachable (%r); trying "
                                   "again every %s s", error, RETRY_SECONDS)
                cut_off = True
                if pubsub is not None:
                    _close_quietly(pubsub)
                time.sleep(RETRY_SECONDS)

    def _subscribe(self):
        """A subscription on a connection of its own: it waits for messages without a
        timeout (the publishing client has short ones), and is not retried inside redis-py
        (this loop does it)."""
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=RETRY_SECONDS,
                                      socket_keepalive=True, retry=Retry(NoBackoff(), 0))
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        self.pubsub = pubsub
        return pubsub


def _close_quietly(pubsub) -> None:
    try:
        pubsub.close()
    except Exception:  # noqa: BLE001,S110 (a connection already gone)
        pass

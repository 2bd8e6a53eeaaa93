"""A Redis client built with the hub's options serves as many threads at once as a web
process has (each WebSocket holds a thread): redis-py 8 caps a pool at 100 connections by
default, and 500 board clients made presence writes fail with MaxConnectionsError."""

from __future__ import annotations

import threading

import redis

from m100hub.config import redis_client_options

THREADS = 150  # more than redis-py's default pool of 100


def test_more_threads_than_the_default_pool_each_get_a_connection(redis_url):
    client = redis.Redis.from_url(redis_url, **redis_client_options(timeout=5))
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def wait_on_redis() -> None:
        start.wait()
        try:  # holds its connection for 0.3 s, so all of them are open at once
            client.blpop(["m100-test:nothing-comes"], timeout=0.3)
        except redis.RedisError as error:
            failures.append(error)

    threads = [threading.Thread(target=wait_on_redis) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    assert failures == []

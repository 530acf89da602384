"""Serving with several workers: the shared listener must not bring back Nagle's 40 ms stall."""

from __future__ import annotations

import socket
import statistics
import time

import httpx

from feecollect.api.serving import APP_FACTORY, SharedSocketConfig


def test_shared_listener_is_tcp_so_accepted_connections_get_nodelay() -> None:
    listener = SharedSocketConfig(APP_FACTORY, factory=True, host="127.0.0.1", port=0).bind_socket()
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.get_inheritable()
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
    finally:
        listener.close()


def test_keep_alive_requests_to_a_two_worker_server_answer_without_a_delayed_ack_stall(
    live_server: str,
) -> None:
    # Without TCP_NODELAY each response after the first on a connection waits ~40 ms for the client's
    # delayed ACK; a bank reusing its connection would see every callback take that long.
    with httpx.Client(base_url=live_server) as client:
        client.get("/api/v1/health")
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            assert client.get("/api/v1/health").status_code == 200
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.020, f"median {statistics.median(timings) * 1000:.1f} ms"

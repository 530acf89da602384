"""Running the API under uvicorn, in one process or several sharing one listening socket."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP_FACTORY = "feecollect.api.app:create_app"


class SharedSocketConfig(uvicorn.Config):
    """uvicorn binds the listener it shares between workers with protocol 0, and asyncio sets TCP_NODELAY
    only on accepted sockets whose protocol reads IPPROTO_TCP (uvicorn issue #3149). Without it every
    keep-alive response after the first waits about 40 ms for the client's delayed ACK, which caps a
    bank's connection at some 25 callbacks a second. Re-wrapping the descriptor lets Python read the
    protocol the kernel actually uses."""

    def bind_socket(self) -> socket.socket:
        bound = super().bind_socket()
        listener = socket.socket(fileno=bound.detach())
        listener.set_inheritable(True)
        return listener


def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    if workers == 1:
        from feecollect.api.app import create_app

        uvicorn.run(create_app(), host=host, port=port, log_config=None, access_log=access_log)
        return
    # The app configures logging itself (feecollect.logs), in every worker process.
    config = SharedSocketConfig(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_config=None,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()

"""A workbench server for the browser tests and the benchmark: uvicorn in a thread, on a free
loopback port, stopped when done."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(settings=None, port: int | None = None):
    from medaid_logic.web.app import create_app
    from medaid_logic.web.settings import Settings
    port = port or free_port()
    config = uvicorn.Config(create_app(settings or Settings()), host="127.0.0.1", port=port,
                            access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    else:
        raise RuntimeError("the workbench did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)

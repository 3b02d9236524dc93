"""`python -m licensemanager_sdk.local` as a subprocess on a free loopback port, for the tests that drive it the way
outside programs do."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["local_service_process"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/_local/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def local_service_process(*args: str, capture: bool = False) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The server process and its URL, once `/_local/health` answers 200.

    `capture=True` keeps stdout and stderr for `process.communicate()`; otherwise they are discarded, so a long-lived
    server never blocks on a full pipe. On leaving, a server still running gets SIGTERM, then SIGKILL after 10 s.
    """
    port = _free_port()
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    command = [sys.executable, "-m", "licensemanager_sdk.local", "--host", "127.0.0.1", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=output, stderr=output, text=True)
    try:
        deadline = time.monotonic() + 30
        while not _healthy(port):
            if process.poll() is not None:
                raise AssertionError(f"the local service exited with {process.returncode}: {process.communicate()}")
            if time.monotonic() > deadline:
                raise AssertionError("the local service did not answer /_local/health within 30 s")
            time.sleep(0.05)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        process.communicate(timeout=10)

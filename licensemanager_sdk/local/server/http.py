"""The HTTP front-end: a threading HTTP/1.1 keep-alive server over `Dispatcher.handle_http`.

Hot path choices (see benchmarks/http_load.py): no per-request logging, the whole answer (status line,
headers, body) leaves in one `sendall` with TCP_NODELAY, and headers are read straight off the socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .wire import Answer, encode_json

__all__ = ["LocalServer"]

HandleHttp = Callable[[str, str, Mapping[str, str], bytes], Answer]

_MAX_HEADER_LINE = 65536
_MAX_HEADERS = 100
_MAX_BODY = 16 * 1024 * 1024
_REASONS = {code: reason.encode("latin-1") for code, (reason, _) in BaseHTTPRequestHandler.responses.items()}


class _Handler(BaseHTTPRequestHandler):
    """Reads requests off a keep-alive connection and writes each answer with one `sendall`."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def handle(self) -> None:
        self.close_connection = True
        try:
            self.handle_one_request()
            while not self.close_connection:
                self.handle_one_request()
        except (OSError, ValueError):  # the peer went away, or sent a broken chunked body
            self.close_connection = True

    def handle_one_request(self) -> None:
        rfile = self.rfile
        line = rfile.readline(_MAX_HEADER_LINE + 1)
        if not line:
            self.close_connection = True
            return
        if len(line) > _MAX_HEADER_LINE:
            self._reject(414, "Request line too long.")
            return
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            self._reject(400, f"Malformed request line {line[:80]!r}.")
            return
        method, path, version = parts
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            raw = rfile.readline(_MAX_HEADER_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                self._reject(400, "Malformed header line.")
                return
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        else:
            self._reject(431, "Too many headers.")
            return

        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        else:
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                self._reject(400, "Bad Content-Length.")
                return
            if length < 0 or length > _MAX_BODY:
                self._reject(413, "Request body too large.")
                return
            if headers.get("expect", "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = rfile.read(length) if length else b""
            if len(body) != length:
                self.close_connection = True
                return

        self.server.begin_request()
        try:
            answer = self.server.handle_http(method, path, headers, body)
            self._send(answer)
        finally:
            self.server.end_request()

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(_MAX_HEADER_LINE)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(_MAX_HEADER_LINE) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise ValueError("chunked body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_HEADER_LINE)

    def _send(self, answer: Answer) -> None:
        head = [b"HTTP/1.1 %d %s\r\n" % (answer.status, _REASONS.get(answer.status, b"Unknown"))]
        for key, value in answer.headers.items():
            head.append(f"{key}: {value}\r\n".encode("latin-1"))
        if "Content-Length" not in answer.headers:
            head.append(b"Content-Length: %d\r\n" % len(answer.body))
        if self.close_connection:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        head.append(answer.body)
        self.connection.sendall(b"".join(head))

    def _reject(self, status: int, message: str) -> None:
        body = encode_json({"__type": "BadRequest", "message": message})
        self.close_connection = True
        self._send(Answer(status, {"Content-Type": "application/json", "Content-Length": str(len(body))}, body))

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logging (it costs more than the request)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handle_http: HandleHttp) -> None:
        self.handle_http = handle_http
        self._connections: set[socket.socket] = set()
        self._inflight = 0
        self._idle = threading.Condition()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._idle:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def begin_request(self) -> None:
        with self._idle:
            self._inflight += 1

    def end_request(self) -> None:
        with self._idle:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.notify_all()

    def drain(self, timeout: float) -> None:
        """Wait for answers in progress, then close idle keep-alive connections so their threads end."""
        with self._idle:
            self._idle.wait_for(lambda: self._inflight == 0, timeout)
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class LocalServer:
    """A running HTTP endpoint; `url` is e.g. `http://127.0.0.1:54321`. Stop with `.stop()` or a `with` block."""

    def __init__(self, handle_http: HandleHttp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), handle_http)
        self.host: str = host
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LocalServer:
        """Serve from a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"local-lm:{self.port}"
            )
            self._thread.daemon = True
            self._thread.start()
        return self

    def stop(self, drain_timeout: float = 5.0) -> None:
        """Stop accepting, let answers in progress finish, close connections. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._server.drain(drain_timeout)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalServer(url={self.url!r})"

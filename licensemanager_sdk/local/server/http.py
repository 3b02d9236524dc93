"""The HTTP front-end: a threading HTTP/1.1 keep-alive server over `Dispatcher.handle_http`.

Hot path choices (see benchmarks/http_load.py): no per-request logging, the whole answer (status line,
headers, body) leaves in one `sendall` with TCP_NODELAY, and headers are read straight off the socket.

The read timeout is the kernel's (`SO_RCVTIMEO`/`SO_SNDTIMEO` on a blocking socket) where the platform has it: a
Python socket timeout would `poll()` before every read and write, which cost a fifth of the throughput. A read the
kernel timed out comes back short; `_timed_out` tells it apart from the peer closing.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .control import guard_control, local_host_names
from .wire import Answer, encode_json

__all__ = ["MAX_BODY", "MAX_CONNECTIONS", "READ_TIMEOUT_S", "LocalServer"]

HandleHttp = Callable[[str, str, Mapping[str, str], bytes], Answer]

_MAX_HEADER_LINE = 65536
_MAX_HEADERS = 100
MAX_BODY = 16 * 1024 * 1024
"""Largest request body, sized or chunked; past it the answer is 413 and the connection closes."""
READ_TIMEOUT_S = 20.0
"""A connection that sends nothing for this long (mid-request or idle between requests) is closed."""
MAX_CONNECTIONS = 256
"""Connections served at once (one thread each); further ones wait in the listen backlog for a free slot."""
_MAX_CHUNK_SIZE_DIGITS = 8  # hex digits of one chunk size (16 MiB needs 7)
_REASONS = {code: reason.encode("latin-1") for code, (reason, _) in BaseHTTPRequestHandler.responses.items()}


_REJECT_CODES = {408: "RequestTimeout", 413: "RequestEntityTooLarge", 414: "RequestURITooLong", 431: "BadRequest"}
_HEX = frozenset(b"0123456789abcdefABCDEF")
_KERNEL_TIMEOUTS = sys.platform != "win32" and all(
    hasattr(socket, name) for name in ("SO_RCVTIMEO", "SO_SNDTIMEO", "MSG_DONTWAIT", "MSG_PEEK")
)
_UNSAFE_IN_HEADER = str.maketrans({"\r": " ", "\n": " "})


class _Framing(Exception):
    """A request whose framing is broken: answered `status` with an AWS-style error, then the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _is_hex(text: bytes) -> bool:
    return all(byte in _HEX for byte in text)


def _content_length(text: str) -> int:
    """Content-Length as ASCII digits only (no sign, no `_`, no list); _Framing otherwise or past MAX_BODY."""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise _Framing(400, f"Invalid Content-Length {text[:20]!r}: expected decimal digits.")
    length = int(text)
    if length > MAX_BODY:
        raise _Framing(413, f"Request body of {length} bytes is larger than {MAX_BODY} bytes.")
    return length


def _header_block(headers: Mapping[str, str]) -> str:
    """`key: value` CRLF lines; CR/LF in a key or value cannot split a line (they become spaces)."""
    block = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
    if block.count("\r") != len(headers) or block.count("\n") != len(headers):  # a CR or LF of a header's own
        block = "".join(f"{key}: {value}".translate(_UNSAFE_IN_HEADER) + "\r\n" for key, value in headers.items())
    return block


class _Handler(BaseHTTPRequestHandler):
    """Reads requests off a keep-alive connection and writes each answer with one `sendall`."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        timeout = self.server.read_timeout  # every read (and write) waits at most this long
        if _KERNEL_TIMEOUTS:
            whole = int(timeout)
            limit = struct.pack("@ll", whole, int((timeout - whole) * 1_000_000))
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, limit)
        else:
            self.request.settimeout(timeout)
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
        except _Framing as exc:
            with contextlib.suppress(OSError):
                self._reject(exc.status, exc.message)
                self._linger()
        except OSError:  # the peer went away, or stayed silent past the read timeout
            self.close_connection = True

    def handle_one_request(self) -> None:
        rfile = self.rfile
        try:
            line = rfile.readline(_MAX_HEADER_LINE + 1)
        except TimeoutError:  # idle keep-alive connection: close it quietly
            self.close_connection = True
            return
        if not line or (not line.endswith(b"\n") and len(line) <= _MAX_HEADER_LINE and self._timed_out()):
            self.close_connection = True  # the peer closed, or went silent (idle, or mid request line)
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
        try:
            for _ in range(_MAX_HEADERS + 1):
                raw = rfile.readline(_MAX_HEADER_LINE + 1)  # `_read_line` inlined: a whole line needs no checks
                if raw[-1:] != b"\n" or len(raw) > _MAX_HEADER_LINE:
                    raw = self._checked_line(raw, "header")
                if raw in (b"\r\n", b"\n"):
                    break
                name, sep, value = raw.decode("latin-1").partition(":")
                if not sep or not name.strip():
                    self._reject(400, "Malformed header line.")
                    return
                key = name.strip().lower()
                value = value.strip()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            else:
                self._reject(431, "Too many headers.")
                return
        except TimeoutError:  # a Python socket timeout (where the kernel's is not used)
            raise self._not_received("header") from None

        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        encoding = headers.get("transfer-encoding")
        if encoding is not None:
            if encoding.strip().lower() != "chunked" or "content-length" in headers:
                raise _Framing(400, "Transfer-Encoding must be exactly 'chunked', without Content-Length.")
            self._continue(headers)
            body = self._read_chunked()
        else:
            length = _content_length(headers.get("content-length", "0"))
            self._continue(headers)
            body = self._read_exactly(length) if length else b""

        refused = guard_control(method, path, headers, body, self.server.local_hosts, self.server.server_port)
        if refused is not None:
            self._send(refused)
            return
        self.server.begin_request()
        try:
            answer = self.server.handle_http(method, path, headers, body)
            self._send(answer)
        finally:
            self.server.end_request()

    def _linger(self) -> None:
        """After an error answer, read a little of what the peer still sends, so that closing does not reset
        the connection before the peer has read the answer."""
        self.connection.shutdown(socket.SHUT_WR)
        self.connection.settimeout(0.2)
        for _ in range(16):
            if not self.connection.recv(65536):
                return

    def _continue(self, headers: Mapping[str, str]) -> None:
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _read_line(self, what: str) -> bytes:
        """One CRLF/LF-terminated line; _Framing when the peer stops, goes silent or sends an endless line."""
        try:
            line = self.rfile.readline(_MAX_HEADER_LINE + 1)
        except TimeoutError:
            raise self._not_received(what) from None
        return self._checked_line(line, what)

    def _checked_line(self, line: bytes, what: str) -> bytes:
        """`line` when it is whole; _Framing when it is endless, or cut short by the peer or the read timeout."""
        if len(line) > _MAX_HEADER_LINE:
            raise _Framing(431 if what == "header" else 400, f"Request {what} line too long.")
        if not line.endswith(b"\n"):
            if self._timed_out():
                raise self._not_received(what)
            raise _Framing(400, f"Request ended in the middle of a {what} line.")
        return line

    def _read_exactly(self, length: int) -> bytes:
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            raise self._not_received("body") from None
        if body is None or len(body) != length:  # None: the kernel timed the first read out
            if self._timed_out():
                raise self._not_received("body")
            received = len(body or b"")
            raise _Framing(400, f"Request body ended after {received} of {length} bytes (Content-Length).")
        return body

    def _not_received(self, what: str) -> _Framing:
        """The 408 for a request whose `what` (header, body, chunk size, ...) did not arrive within the read timeout."""
        return _Framing(408, f"Request {what} not received within {self.server.read_timeout:g} s.")

    def _timed_out(self) -> bool:
        """After a short read: True when the connection is still open (the kernel's read timeout cut the read
        short), False when the peer closed it."""
        if not _KERNEL_TIMEOUTS:
            return False  # a Python socket timeout raises TimeoutError instead
        try:
            peeked: bytes = self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return peeked != b""
        except BlockingIOError:
            return True
        except OSError:
            return False

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self._read_line("chunk size").split(b";", 1)[0].strip()
            if not size_text or len(size_text) > _MAX_CHUNK_SIZE_DIGITS or not _is_hex(size_text):
                raise _Framing(400, f"Invalid chunk size {size_text[:20]!r}: expected hexadecimal digits.")
            size = int(size_text, 16)
            if size == 0:
                while self._read_line("trailer") not in (b"\r\n", b"\n"):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise _Framing(413, f"Request body larger than {MAX_BODY} bytes.")
            chunks.append(self._read_exactly(size))
            if self._read_line("chunk end") not in (b"\r\n", b"\n"):
                raise _Framing(400, "Chunk data longer than its size.")

    def _send(self, answer: Answer) -> None:
        status = b"HTTP/1.1 %d %s\r\n" % (answer.status, _REASONS.get(answer.status, b"Unknown"))
        headers = _header_block(answer.headers).encode("latin-1", "replace")  # outside latin-1: `?`
        length = b"" if "Content-Length" in answer.headers else b"Content-Length: %d\r\n" % len(answer.body)
        close = b"Connection: close\r\n" if self.close_connection else b""
        self.connection.sendall(b"".join((status, headers, length, close, b"\r\n", answer.body)))

    def _reject(self, status: int, message: str) -> None:
        code = _REJECT_CODES.get(status, "BadRequest")
        body = encode_json({"__type": code, "message": message})
        self.close_connection = True
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "Content-Length": str(len(body))}
        self._send(Answer(status, headers, body))

    def log_message(self, format: str, *args: Any) -> None:
        """No per-request logging (it costs more than the request)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handle_http: HandleHttp, read_timeout: float, max_connections: int
    ) -> None:
        self.handle_http = handle_http
        self.read_timeout = read_timeout
        self._connections: set[socket.socket] = set()
        self._inflight = 0
        self._idle = threading.Condition()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._closing = False
        super().__init__(address, _Handler)
        self.local_hosts = local_host_names(address[0])

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a handler thread once a connection slot is free (the accept loop waits meanwhile)."""
        while not self._slots.acquire(timeout=0.05):
            if self._closing:
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def close_soon(self) -> None:
        """Stop waiting for connection slots (called before `shutdown`)."""
        self._closing = True

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

    def __init__(
        self,
        handle_http: HandleHttp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        read_timeout: float = READ_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._server = _Server((host, port), handle_http, read_timeout, max_connections)
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
        self._server.close_soon()
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

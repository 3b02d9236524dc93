"""The HTTP/1.1 server itself: keep-alive, pipelining, chunked bodies, HTTP/1.0, malformed requests."""

from __future__ import annotations

import json
import socket

from licensemanager_sdk.local import LocalServer

from .support import SIGNED


def _request(body: bytes, *, extra: str = "", version: str = "HTTP/1.1", length: bool = True) -> bytes:
    auth = SIGNED.format(key="111122223333", region="us-east-1", service="license-manager")
    head = (
        f"POST / {version}\r\nHost: x\r\nX-Amz-Target: AWSLicenseManager.ListLicenses\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nAuthorization: {auth}\r\n{extra}"
    )
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _connect(server: LocalServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    return sock


def test_pipelined_keep_alive_requests_get_answers_in_order(server: LocalServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_request(b"{}") + _request(b"{}") + _request(b"{}", extra="Connection: close\r\n"))
        data = _read_all(sock)  # the server closes after the third answer
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert data.count(b'{"Licenses":[]}') == 3
    assert data.count(b"Connection: close\r\n") == 1


def test_chunked_request_body(server: LocalServer) -> None:
    body = json.dumps({"MaxResults": 5}).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    with _connect(server) as sock:
        sock.sendall(_request(chunked, extra="Transfer-Encoding: chunked\r\nConnection: close\r\n", length=False))
        data = _read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert data.endswith(b'{"Licenses":[]}')


def test_http_1_0_closes_after_the_answer(server: LocalServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_request(b"{}", version="HTTP/1.0"))
        data = _read_all(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close\r\n" in data


def test_a_malformed_request_line_is_400_and_closes(server: LocalServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        data = _read_all(sock)
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Malformed request line" in data


def test_stop_closes_idle_keep_alive_connections(server: LocalServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_request(b"{}"))
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
        server.stop()
        assert sock.recv(65536) == b""  # closed by the server, not left hanging

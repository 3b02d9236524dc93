"""HTTP framing: the same body limit sized or chunked, 400 on broken framing, a read timeout, bounded threads."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from licensemanager_sdk.local import LocalLicenseManager, LocalServer
from licensemanager_sdk.local.server import http
from licensemanager_sdk.local.server.http import MAX_BODY

from .support import headers

_HEAD = "".join(f"{k}: {v}\r\n" for k, v in headers("ListLicenses").items())


def _exchange(server: LocalServer, raw: bytes, *, shut: bool = True, timeout: float = 10.0) -> bytes:
    """Send `raw` (then half-close when `shut`) and read until the server closes: the whole answer."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        sock.sendall(raw)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    assert answer, "the server closed the connection without an answer"
    return int(answer.split(b" ", 2)[1])


def _body(answer: bytes) -> dict[str, object]:
    result: dict[str, object] = json.loads(answer.partition(b"\r\n\r\n")[2])
    return result


def _chunked(*chunks: bytes) -> bytes:
    head = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    return head.encode() + b"".join(chunks)


def test_negative_chunk_size_is_400_not_a_read_to_the_end(server: LocalServer) -> None:
    answer = _exchange(server, _chunked(b"-1\r\n{}\r\n0\r\n\r\n"))
    assert _status(answer) == 400
    assert "chunk size" in str(_body(answer)["message"])


@pytest.mark.parametrize("size", [b"zz", b"0x10", b"+5", b"1_0", b"", b"123456789"])
def test_invalid_chunk_size_is_400(server: LocalServer, size: bytes) -> None:
    answer = _exchange(server, _chunked(size + b"\r\n{}\r\n0\r\n\r\n"))
    assert _status(answer) == 400


def test_chunked_body_over_the_limit_is_413(server: LocalServer) -> None:
    chunk = b"%x\r\n" % (1024 * 1024) + b" " * (1024 * 1024) + b"\r\n"
    answer = _exchange(server, _chunked(*[chunk] * (MAX_BODY // (1024 * 1024)), b"1\r\n \r\n0\r\n\r\n"))
    assert _status(answer) == 413


def test_short_chunk_is_answered_400(server: LocalServer) -> None:
    answer = _exchange(server, _chunked(b"10\r\n{}"))
    assert _status(answer) == 400


def test_short_sized_body_is_answered_400(server: LocalServer) -> None:
    head = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: 100\r\n\r\n{{}}"
    answer = _exchange(server, head.encode())
    assert _status(answer) == 400
    assert "Content-Length" in str(_body(answer)["message"])


@pytest.mark.parametrize("length", ["+2", "1_7", "-1", "0x2", " 2 2", "2, 2", "\u0662"])
def test_content_length_is_ascii_digits(server: LocalServer, length: str) -> None:
    head = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: {length}\r\n\r\n{{}}"
    assert _status(_exchange(server, head.encode("utf-8"))) == 400


def test_sized_body_over_the_limit_is_413(server: LocalServer) -> None:
    head = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: {MAX_BODY + 1}\r\n\r\n"
    assert _status(_exchange(server, head.encode())) == 413


def test_valid_chunked_body_is_served(server: LocalServer) -> None:
    answer = _exchange(server, _chunked(b"2\r\n{}\r\n", b"0\r\n\r\n"))
    assert _status(answer) == 200


@pytest.fixture(params=["kernel timeouts", "python timeouts"])
def quick_server(
    request: pytest.FixtureRequest, local: LocalLicenseManager, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalServer]:
    """A server with a 0.5 s read timeout, kept by the kernel (POSIX) or by Python's socket timeout (Windows)."""
    monkeypatch.setattr(http, "_KERNEL_TIMEOUTS", request.param == "kernel timeouts")
    with LocalServer(local.handle_http, read_timeout=0.5, max_connections=8) as running:
        yield running


def test_half_sent_request_times_out_with_408(quick_server: LocalServer) -> None:
    started = time.monotonic()
    answer = _exchange(quick_server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Len", shut=False)
    assert _status(answer) == 408
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("sent", [b"", b"{}"])
def test_half_sent_body_times_out_with_408(quick_server: LocalServer, sent: bytes) -> None:
    head = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: 10\r\n\r\n"
    started = time.monotonic()
    answer = _exchange(quick_server, head.encode() + sent, shut=False)
    assert _status(answer) == 408
    assert "not received within 0.5 s" in str(_body(answer)["message"])
    assert time.monotonic() - started < 5


def test_idle_keep_alive_connection_is_closed(quick_server: LocalServer) -> None:
    assert _exchange(quick_server, b"", shut=False) == b""


def test_slowloris_does_not_exhaust_the_server(quick_server: LocalServer) -> None:
    held = [socket.create_connection((quick_server.host, quick_server.port)) for _ in range(40)]
    try:
        for sock in held:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        answers: list[bytes] = []
        started = time.monotonic()
        request = f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        worker = threading.Thread(target=lambda: answers.append(_exchange(quick_server, request.encode())))
        worker.start()
        worker.join(15)
        assert answers and _status(answers[0]) == 200
        assert time.monotonic() - started < 15
    finally:
        for sock in held:
            sock.close()


def test_header_values_cannot_split_the_answer(local: LocalLicenseManager, server: LocalServer) -> None:
    local.inject_fault("ListLicenses", "Bad\r\nSet-Cookie: a=b")
    answer = _exchange(server, f"POST / HTTP/1.1\r\nHost: x\r\n{_HEAD}Content-Length: 0\r\n\r\n".encode())
    head = answer.partition(b"\r\n\r\n")[0]
    assert not any(line.lower().startswith(b"set-cookie") for line in head.split(b"\r\n"))

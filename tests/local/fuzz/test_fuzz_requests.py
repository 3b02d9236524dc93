"""Fuzzed requests for every implemented operation and malformed HTTP framing, sent to a live LocalServer.

Asserts: no 5xx, every request answered in bounded time, a license created before the run unchanged after it,
and the health check still answering."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensemanager_sdk.local import LocalLicenseManager, LocalServer, Settings
from licensemanager_sdk.local.core.model import operation_model

from ..hardening.support import create_license, headers
from .conftest import PROFILE
from .strategies import body_for

_ANSWER_WITHIN_S = 10.0


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[LocalLicenseManager, LocalServer, str, bytes]]:
    with LocalLicenseManager(settings=Settings(reuse_rsa_keys=True)) as local, local.serve() as server:
        arn = create_license(local, "fuzz-sentinel")
        yield local, server, arn, _license_bytes(local, arn)


def _license_bytes(local: LocalLicenseManager, arn: str) -> bytes:
    answer = local.handle_http("POST", "/", headers("GetLicense"), json.dumps({"LicenseArn": arn}).encode())
    assert answer.status == 200
    return answer.body


def _post(server: LocalServer, request_headers: dict[str, str], body: bytes) -> int:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=_ANSWER_WITHIN_S)
    try:
        connection.request("POST", "/", body=body, headers=request_headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _implemented() -> list[tuple[str, str]]:
    with LocalLicenseManager() as local:
        engine = local.engine
        return sorted(
            (service, op) for service in ("license-manager", "kms", "sts") for op in engine.operations(service)
        )


@pytest.mark.parametrize(("service", "operation"), _implemented())
def test_no_generated_request_breaks_the_server(
    live: tuple[LocalLicenseManager, LocalServer, str, bytes], service: str, operation: str
) -> None:
    _, server, _, _ = live
    model = operation_model(service, operation)
    shape = model.input_shape if model is not None else None

    @settings(parent=PROFILE)
    @given(body=body_for(shape))
    def run(body: bytes) -> None:
        if service == "sts":
            sent = {"Content-Type": "application/x-www-form-urlencoded"}
            body = b"Action=" + operation.encode() + b"&Version=2011-06-15&" + body
        else:
            sent = headers(operation, service)
        assert _post(server, sent, body) < 500

    run()


def _raw(server: LocalServer, data: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=_ANSWER_WITHIN_S) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


_HEADER_VALUE = st.text(st.characters(max_codepoint=255), max_size=20)
_FRAMING = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda length, body: (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length.encode("latin-1") + b"\r\n\r\n" + body
        ),
        _HEADER_VALUE,
        st.binary(max_size=50),
    ),
    st.builds(
        lambda sizes, body: (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"".join(size.encode("latin-1") + b"\r\n" + body + b"\r\n" for size in sizes)
        ),
        st.lists(_HEADER_VALUE, max_size=3),
        st.binary(max_size=20),
    ),
    st.builds(
        lambda name, value: b"POST /_local/health HTTP/1.1\r\n" + name + b": " + value + b"\r\n\r\n",
        st.binary(max_size=20),
        st.binary(max_size=40),
    ),
)


def test_malformed_framing_never_breaks_the_server(live: tuple[LocalLicenseManager, LocalServer, str, bytes]) -> None:
    _, server, _, _ = live

    @settings(parent=PROFILE, max_examples=PROFILE.max_examples * 10)
    @given(data=_FRAMING)
    def run(data: bytes) -> None:
        answer = _raw(server, data)
        if answer:
            assert int(answer.split(b" ", 2)[1]) < 500, answer[:200]

    run()


def test_data_is_intact_and_the_server_healthy_after_the_run(
    live: tuple[LocalLicenseManager, LocalServer, str, bytes],
) -> None:
    local, server, arn, before = live
    assert _license_bytes(local, arn) == before
    connection = http.client.HTTPConnection(server.host, server.port, timeout=_ANSWER_WITHIN_S)
    try:
        connection.request("GET", "/_local/health")
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["status"] == "ok"
    finally:
        connection.close()

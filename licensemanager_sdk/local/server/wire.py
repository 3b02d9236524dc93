"""Wire formats of the emulated protocols: AWS JSON 1.1 (License Manager, KMS) and awsQuery (STS, IAM).

Pure functions over bytes and strings: no engine, no sockets. `_dispatch` composes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from ..core.query import error_document, result_document

__all__ = [
    "DEFAULT_ACCOUNT",
    "JSON_CONTENT_TYPE",
    "KMS",
    "LICENSE_MANAGER",
    "MAX_JSON_DEPTH",
    "STS",
    "Answer",
    "Identity",
    "IdentityError",
    "account_for_key",
    "decode_form",
    "decode_json_object",
    "encode_json",
    "json_error",
    "json_success",
    "parse_identity",
    "query_error",
    "query_success",
]

LICENSE_MANAGER = "license-manager"
KMS = "kms"
STS = "sts"

DEFAULT_ACCOUNT = "123456789012"
"""The account of any access key id that is not exactly 12 digits."""

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
XML_CONTENT_TYPE = "text/xml"

_LICENSE_MANAGER_ERROR_NAMESPACE = "com.amazonaws.licensemanager#"

_json_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_json_decode = json.JSONDecoder().decode

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects a request body may have (the models need fewer than 10)."""

# Strings (whose brackets do not nest) and brackets, for the depth scan of bodies with many brackets.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class Answer(NamedTuple):
    """One HTTP answer `(status, headers, body)`: what both the HTTP server and the in-process attachment send."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Identity:
    """What the SigV4 credential scope says about the caller (the signature itself is never checked)."""

    access_key_id: str
    region: str | None
    service: str | None


class IdentityError(Exception):
    """An `Authorization` header that is present but not a usable SigV4 header."""


def account_for_key(access_key_id: str) -> str:
    """A 12-digit access key id acts as that account; any other key acts as `DEFAULT_ACCOUNT`."""
    if len(access_key_id) == 12 and access_key_id.isascii() and access_key_id.isdigit():
        return access_key_id
    return DEFAULT_ACCOUNT


def parse_identity(authorization: str | None, query_credential: str | None, region_set: str | None) -> Identity | None:
    """Read `Credential=<key>/<date>/<region>/<service>/aws4_request` from the header (or a presigned query).

    Returns None for an unsigned request. SigV4a scopes (`<key>/<date>/<service>/aws4_request`) take the
    region from `X-Amz-Region-Set`.
    """
    if authorization:
        marker = authorization.find("Credential=")
        if marker < 0:
            raise IdentityError("Authorization header requires 'Credential' parameter.")
        scope = authorization[marker + 11 :]
        end = scope.find(",")
        if end >= 0:
            scope = scope[:end]
        scope = scope.strip()
    elif query_credential:
        scope = query_credential
    else:
        return None
    parts = scope.split("/")
    if len(parts) == 5 and parts[4] == "aws4_request" and parts[0]:
        return Identity(parts[0], parts[2] or None, parts[3] or None)
    if len(parts) == 4 and parts[3] == "aws4_request" and parts[0]:
        region = region_set.split(",")[0].strip() if region_set else None
        return Identity(parts[0], region if region and region != "*" else None, parts[2] or None)
    raise IdentityError(
        f"Credential should be scoped to a valid region, not a malformed scope: '{scope}'. "
        "Expected <access-key-id>/<date>/<region>/<service>/aws4_request."
    )


def encode_json(value: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the same bytes for the same value in every mode.

    A lone surrogate (which a request may carry as a `\\udXXX` escape) is written back as that escape."""
    return _json_encoder.encode(value).encode("utf-8", "backslashreplace")


def decode_json_object(body: bytes) -> dict[str, Any]:
    """The request's JSON object; an empty body is `{}`. Raises ValueError for anything else."""
    if not body or body.isspace():
        return {}
    _check_depth(body)
    try:
        value = _json_decode(body.decode())
    except RecursionError:  # only reachable if the scan and the decoder disagree; never a 500
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _check_depth(body: bytes) -> None:
    """ValueError when arrays/objects nest deeper than MAX_JSON_DEPTH (cheap count first, exact scan after)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        elif token in (b"]", b"}"):
            depth -= 1


def decode_form(body: bytes) -> dict[str, str]:
    """An awsQuery form body (`Action=...&Version=...&Param=...`) as a flat dict."""
    return dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False))


def json_success(result: Mapping[str, Any], request_id: str) -> Answer:
    """200 with the JSON body (`{}` when the operation returns nothing)."""
    body = encode_json(result)
    return Answer(
        200,
        {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": request_id, "Content-Length": str(len(body))},
        body,
    )


def json_error(
    service: str,
    status: int,
    code: str,
    message: str,
    request_id: str,
    extra: Mapping[str, Any] | None = None,
    *,
    namespace: str | None = None,
) -> Answer:
    """An AWS JSON 1.1 error.

    License Manager: `{"__type": "com.amazonaws.licensemanager#<Code>", "Message": m, "message": m, **extra}`;
    KMS: `{"__type": "<Code>", "message": m, **extra}`. `namespace` overrides the `__type` prefix (the Coral
    framework errors use `com.amazon.coral.service#`).
    """
    if namespace is None:
        namespace = _LICENSE_MANAGER_ERROR_NAMESPACE if service == LICENSE_MANAGER else ""
    payload: dict[str, Any] = {"__type": f"{namespace}{code}"}
    if service == LICENSE_MANAGER:
        payload["Message"] = message
    payload["message"] = message
    headers = {"Content-Type": JSON_CONTENT_TYPE, "x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
    if extra:
        payload.update(extra)
        location = extra.get("Location")
        if isinstance(location, str):
            headers["Location"] = location
    body = encode_json(payload)
    headers["Content-Length"] = str(len(body))
    return Answer(status, headers, body)


def query_success(namespace: str, operation: str, result: Mapping[str, Any], request_id: str) -> Answer:
    """200 with the awsQuery result document of `operation` in `namespace` (STS's, IAM's)."""
    body = result_document(namespace, operation, result, request_id).encode()
    return Answer(
        200,
        {"Content-Type": XML_CONTENT_TYPE, "x-amzn-RequestId": request_id, "Content-Length": str(len(body))},
        body,
    )


def query_error(namespace: str, status: int, code: str, message: str, request_id: str) -> Answer:
    """The awsQuery `ErrorResponse` in `namespace`, with its HTTP status."""
    body = error_document(namespace, status, code, message, request_id).encode()
    return Answer(
        status,
        {
            "Content-Type": XML_CONTENT_TYPE,
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": code,
            "Content-Length": str(len(body)),
        },
        body,
    )

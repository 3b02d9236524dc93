"""The control endpoints under `/_local/` (reset, clock, faults, health); not under AWS auth.

- `POST /_local/reset`: forget all state, faults and latency -> `{"reset": true}`
- `GET|POST /_local/clock`: POST `{"advance_seconds": N}` moves time forward -> `{"now": ..., "offset_seconds": ...}`
- `GET|POST|DELETE /_local/faults`: POST `{"operation", "error", "times", "phase"}` or `{"operation", "latency_ms"}`
  adds a fault or a latency; DELETE clears them -> the pending faults and latency
- `GET /_local/health` -> `{"status": "ok", ...}`

Over HTTP, `guard_control` first refuses (403) what a web page could send: a foreign `Origin` or `Host`, or a
body whose Content-Type is not `application/json`. Every input is checked (types, finite, bounded): 400
`InvalidControlRequest` naming the field.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Set
from typing import TYPE_CHECKING, Any, TypeGuard

from ..._version import __version__
from .injection import ANY_OPERATION, FaultRule
from .wire import LICENSE_MANAGER, Answer, decode_json_object, encode_json, json_error

if TYPE_CHECKING:
    from .dispatch import Dispatcher

__all__ = [
    "MAX_CLOCK_OFFSET_S",
    "MAX_LATENCY_MS",
    "clock_state",
    "guard_control",
    "handle",
    "health",
    "local_host_names",
    "parse_fault_request",
]

MAX_CLOCK_OFFSET_S = 100 * 366 * 86400
"""How far the emulator clock may run ahead of real time (100 years): dates stay representable."""
MAX_LATENCY_MS = 60_000
"""Largest injected latency (one minute)."""
_MAX_TIMES = 1_000_000
_MAX_MESSAGE = 1024
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z0-9.]{0,127}", re.ASCII)
_OPERATION = re.compile(r"\*|[A-Za-z][A-Za-z0-9]{0,127}", re.ASCII)
_CONTROL_PREFIX = "/_local"

_ROUTES: dict[str, frozenset[str]] = {
    "/_local/reset": frozenset({"POST"}),
    "/_local/clock": frozenset({"GET", "POST"}),
    "/_local/faults": frozenset({"GET", "POST", "DELETE"}),
    "/_local/health": frozenset({"GET"}),
}


class ControlError(ValueError):
    """A control request with a bad body; answered 400 `InvalidControlRequest`."""


def _ok(payload: dict[str, Any], request_id: str) -> Answer:
    body = encode_json(payload)
    return Answer(
        200,
        {"Content-Type": "application/json", "x-amzn-RequestId": request_id, "Content-Length": str(len(body))},
        body,
    )


def _error(status: int, code: str, message: str, request_id: str) -> Answer:
    return json_error("control", status, code, message, request_id, namespace="")


def local_host_names(bound: str) -> frozenset[str]:
    """Host names a control request may name: the loopback names and the address the server is bound to."""
    return frozenset({"localhost", "127.0.0.1", "::1", bound.lower().strip("[]")})


def _split_host(value: str) -> tuple[str, int | None]:
    host, port = value, None
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else None
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    else:
        port_text = None
    if port_text is not None:
        port = int(port_text) if port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 else -1
    return host.lower(), port


def guard_control(
    method: str, path: str, headers: Mapping[str, str], body: bytes, hosts: Set[str], port: int
) -> Answer | None:
    """403 for a `/_local` request a browser page could have sent; None when it may proceed.

    Refused: a `Host` that is not one of `hosts` with the server's `port`; any `Origin` other than the server's
    own `http://host:port`; a body with a Content-Type other than `application/json` (browsers cannot send
    that cross-origin without a preflight, which this server never answers). A body without Content-Type
    (curl without -H, http.client) is accepted: browsers send an Origin with those."""
    if not path.startswith(_CONTROL_PREFIX):
        return None
    problem = None
    host_header = headers.get("host")
    if host_header is not None:
        host, host_port = _split_host(host_header.strip())
        if host not in hosts or (host_port or 80) != port:
            problem = f"Host {host_header!r} is not this server (use localhost:{port} or 127.0.0.1:{port})."
    origin = headers.get("origin")
    if problem is None and origin is not None:
        scheme, _, rest = origin.strip().partition("://")
        host, origin_port = _split_host(rest)
        if scheme.lower() != "http" or host not in hosts or (origin_port or 80) != port:
            problem = f"Origin {origin!r} may not call the control endpoints; only this server's own pages may."
    content_type = headers.get("content-type")
    has_body = bool(body) and method in ("POST", "PUT", "DELETE", "PATCH")
    if problem is None and has_body and content_type is not None and not _is_json(content_type):
        problem = f"Control requests with a body need Content-Type: application/json, not {content_type!r}."
    if problem is None:
        return None
    return _error(403, "Forbidden", problem, "-")


def handle(dispatcher: Dispatcher, method: str, path: str, body: bytes, request_id: str) -> Answer:
    """Answer one control request."""
    path = path.split("?", 1)[0].rstrip("/")
    allowed = _ROUTES.get(path)
    if allowed is None:
        return _error(404, "NotFound", f"No control endpoint {path}; known: {', '.join(sorted(_ROUTES))}.", request_id)
    if method not in allowed:
        answer = _error(405, "MethodNotAllowed", f"{method} {path} is not allowed.", request_id)
        answer.headers["Allow"] = ", ".join(sorted(allowed))
        return answer
    try:
        payload = decode_json_object(body)
    except ValueError as exc:
        return _error(
            400, "InvalidControlRequest", f"The body of {method} {path} is not a JSON object: {exc}", request_id
        )
    try:
        return _ok(_route(dispatcher, method, path, payload), request_id)
    except ControlError as exc:
        return _error(400, "InvalidControlRequest", str(exc), request_id)


def _route(dispatcher: Dispatcher, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    if path == "/_local/health":
        return health(dispatcher)
    if path == "/_local/reset":
        dispatcher.engine.reset()
        dispatcher.faults.clear()
        return {"reset": True}
    if path == "/_local/clock":
        if method == "POST":
            seconds = payload.get("advance_seconds")
            if not _is_number(seconds):
                raise ControlError('POST /_local/clock needs {"advance_seconds": <number>}.')
            if seconds < 0:
                raise ControlError("advance_seconds must be >= 0: the emulator clock never goes back.")
            room = MAX_CLOCK_OFFSET_S - dispatcher.engine.clock.offset
            if seconds > room:
                raise ControlError(
                    f"advance_seconds must be <= {room:.0f}: the clock may run at most {MAX_CLOCK_OFFSET_S} s "
                    "(100 years) ahead of real time; POST /_local/reset sets it back."
                )
            dispatcher.engine.clock.advance(seconds)
        return clock_state(dispatcher)
    # /_local/faults
    if method == "DELETE":
        dispatcher.faults.clear()
    elif method == "POST":
        service = payload.get("service", LICENSE_MANAGER)
        operation = payload.get("operation", ANY_OPERATION)
        if not isinstance(service, str) or not isinstance(operation, str) or not operation:
            raise ControlError('"service" and "operation" must be non-empty strings.')
        if _OPERATION.fullmatch(operation) is None:
            raise ControlError('"operation" must be an operation name (letters and digits) or "*".')
        if "latency_ms" not in payload and "error" not in payload:
            raise ControlError('POST /_local/faults needs "error" (an AWS error code) or "latency_ms".')
        rule = parse_fault_request(payload, service, operation) if "error" in payload else None
        if "latency_ms" in payload:
            latency = payload["latency_ms"]
            if not _is_number(latency) or not 0 <= latency <= MAX_LATENCY_MS:
                raise ControlError(f'"latency_ms" must be a number from 0 to {MAX_LATENCY_MS}.')
            try:
                dispatcher.faults.set_latency(service, operation, float(latency))
            except ValueError as exc:
                raise ControlError(str(exc)) from None
        try:
            if rule is not None:
                dispatcher.faults.add_fault(rule)
        except ValueError as exc:
            raise ControlError(str(exc)) from None
    return dispatcher.faults.snapshot()


def parse_fault_request(payload: dict[str, Any], service: str, operation: str) -> FaultRule:
    """A `FaultRule` from `{"error": ..., "times": 1, "phase": "before", "message": optional}`."""
    error = payload.get("error")
    times = payload.get("times", 1)
    phase = payload.get("phase", "before")
    message = payload.get("message")
    if not isinstance(error, str) or not error:
        raise ControlError('POST /_local/faults needs "error" (an AWS error code) or "latency_ms".')
    if _ERROR_CODE.fullmatch(error) is None:
        raise ControlError(
            '"error" must be an AWS error code: an ASCII letter, then up to 127 letters, digits or dots.'
        )
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= _MAX_TIMES:
        raise ControlError(f'"times" must be an integer from 1 to {_MAX_TIMES}.')
    if phase not in ("before", "after"):
        raise ControlError('"phase" must be "before" or "after".')
    if message is not None and (not isinstance(message, str) or len(message) > _MAX_MESSAGE):
        raise ControlError(f'"message" must be a string of at most {_MAX_MESSAGE} characters.')
    return FaultRule(service, operation, error, times, phase, message)


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _is_number(value: object) -> TypeGuard[float]:
    """A finite JSON number (not a boolean)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _timestamp(value: object) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return value


def clock_state(dispatcher: Dispatcher) -> dict[str, Any]:
    clock = dispatcher.engine.clock
    return {"now": _timestamp(clock.now()), "offset_seconds": clock.offset}


def health(dispatcher: Dispatcher) -> dict[str, Any]:
    """`{"status": "ok", ...}`: version, region, persistence, emulator time and pending faults."""
    return {
        "status": "ok",
        "service": "licensemanager_sdk.local",
        "version": __version__,
        "region": dispatcher.default_region,
        "state_path": dispatcher.state_path,
        **clock_state(dispatcher),
        **dispatcher.faults.snapshot(),
    }

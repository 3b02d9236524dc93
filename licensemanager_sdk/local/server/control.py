"""The control endpoints under `/_local/` (reset, clock, faults, health); not under AWS auth.

- `POST /_local/reset`: forget all state, faults and latency -> `{"reset": true}`
- `GET|POST /_local/clock`: POST `{"advance_seconds": N}` moves time forward -> `{"now": ..., "offset_seconds": ...}`
- `GET|POST|DELETE /_local/faults`: POST `{"operation", "error", "times", "phase"}` or `{"operation", "latency_ms"}`
  adds a fault or a latency; DELETE clears them -> the pending faults and latency
- `GET /_local/health` -> `{"status": "ok", ...}`
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any

from ..._version import __version__
from .injection import ANY_OPERATION, FaultRule
from .wire import LICENSE_MANAGER, Answer, decode_json_object, encode_json, json_error

if TYPE_CHECKING:
    from .dispatch import Dispatcher

__all__ = ["clock_state", "handle", "health", "parse_fault_request"]

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
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
                raise ControlError('POST /_local/clock needs {"advance_seconds": <number>}.')
            if seconds < 0:
                raise ControlError("advance_seconds must be >= 0: the emulator clock never goes back.")
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
        if "latency_ms" not in payload and "error" not in payload:
            raise ControlError('POST /_local/faults needs "error" (an AWS error code) or "latency_ms".')
        rule = parse_fault_request(payload, service, operation) if "error" in payload else None
        if "latency_ms" in payload:
            latency = payload["latency_ms"]
            if isinstance(latency, bool) or not isinstance(latency, int | float) or not latency >= 0:
                raise ControlError('"latency_ms" must be a number >= 0.')
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
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ControlError('"times" must be an integer >= 1.')
    if phase not in ("before", "after"):
        raise ControlError('"phase" must be "before" or "after".')
    if message is not None and not isinstance(message, str):
        raise ControlError('"message" must be a string.')
    return FaultRule(service, operation, error, times, phase, message)


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

"""The `/_local/` control endpoints for AWS Marketplace licenses and AWS Organizations; not under AWS auth.

- `POST /_local/marketplace/licenses` `{"buyerAccount", "productSku", "entitlements": [wire Entitlement objects],
  "region"?, "productName"?, "validityEnd"?, "signed"?}` -> `{"licenseArn", "grantArn"}`
- `GET /_local/marketplace/public-key` -> the PEM that verifies their SignedTokens (`application/x-pem-file`)
- `POST /_local/organization` `{"organizationId", "managementAccount", "accounts"?, "ous"?, "allFeatures"?}`
  -> `{"organizationArn"}`

POST bodies need `Content-Type: application/json` (else 415 `UnsupportedMediaType`); a missing, mistyped or
unknown field is 400 `InvalidControlRequest` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.organizations import ACCOUNT_ID, ORGANIZATION_ID, OU_ID
from ..marketplace import marketplace_public_key_pem, seed_marketplace_license
from .control import ControlError
from .wire import Answer, decode_json_object, encode_json, json_error

if TYPE_CHECKING:
    from .dispatch import Dispatcher

__all__ = ["ROUTES", "handle", "owns"]

_LICENSES = "/_local/marketplace/licenses"
_PUBLIC_KEY = "/_local/marketplace/public-key"
_ORGANIZATION = "/_local/organization"
ROUTES: dict[str, frozenset[str]] = {
    _LICENSES: frozenset({"POST"}),
    _PUBLIC_KEY: frozenset({"GET"}),
    _ORGANIZATION: frozenset({"POST"}),
}
_LICENSE_FIELDS = ("buyerAccount", "productSku", "entitlements", "region", "productName", "validityEnd", "signed")
_ORGANIZATION_FIELDS = ("organizationId", "managementAccount", "accounts", "ous", "allFeatures")
_MAX_TEXT = 2048


def _route_of(path: str) -> str:
    return path.split("?", 1)[0].rstrip("/")


def owns(path: str) -> bool:
    """Whether `path` is one of this module's endpoints."""
    return _route_of(path) in ROUTES


def _answer(status: int, content_type: str, body: bytes, request_id: str) -> Answer:
    return Answer(
        status, {"Content-Type": content_type, "x-amzn-RequestId": request_id, "Content-Length": str(len(body))}, body
    )


def _error(status: int, code: str, message: str, request_id: str) -> Answer:
    return json_error("control", status, code, message, request_id, namespace="")


def handle(
    dispatcher: Dispatcher, method: str, path: str, headers: Mapping[str, str], body: bytes, request_id: str
) -> Answer:
    """Answer one Marketplace or organization control request."""
    route = _route_of(path)
    allowed = ROUTES[route]
    if method not in allowed:
        answer = _error(405, "MethodNotAllowed", f"{method} {route} is not allowed.", request_id)
        answer.headers["Allow"] = ", ".join(sorted(allowed))
        return answer
    if route == _PUBLIC_KEY:
        pem = marketplace_public_key_pem(dispatcher.engine).encode("ascii")
        return _answer(200, "application/x-pem-file", pem, request_id)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        shown = repr(content_type) if content_type else "none"
        return _error(
            415,
            "UnsupportedMediaType",
            f"POST {route} needs Content-Type: application/json (got {shown}).",
            request_id,
        )
    try:
        payload = decode_json_object(body)
    except ValueError as exc:
        return _error(400, "InvalidControlRequest", f"The body of POST {route} is not a JSON object: {exc}", request_id)
    try:
        result = _seed(dispatcher, payload) if route == _LICENSES else _organization(dispatcher, payload)
    except ControlError as exc:
        return _error(400, "InvalidControlRequest", str(exc), request_id)
    return _answer(200, "application/json", encode_json(result), request_id)


def _seed(dispatcher: Dispatcher, payload: dict[str, Any]) -> dict[str, Any]:
    _known(payload, _LICENSE_FIELDS, _LICENSES)
    entitlements = payload.get("entitlements")
    if not isinstance(entitlements, list) or not entitlements:
        raise ControlError('"entitlements" must be a non-empty list of Entitlement objects ({"Name", "Unit", ...}).')
    for index, entitlement in enumerate(entitlements):
        if not isinstance(entitlement, dict):
            raise ControlError(f'"entitlements[{index}]" must be an Entitlement object ({{"Name", "Unit", ...}}).')
    signed = payload.get("signed", True)
    if not isinstance(signed, bool):
        raise ControlError('"signed" must be true or false.')
    try:
        seeded = seed_marketplace_license(
            dispatcher.engine,
            buyer_account=_account(payload, "buyerAccount"),
            product_sku=_text(payload, "productSku"),
            entitlements=entitlements,
            region=_text(payload, "region", dispatcher.default_region),
            product_name=_text(payload, "productName", "Marketplace product"),
            validity_end=_text(payload, "validityEnd", "") or None,
            signed=signed,
        )
    except ValueError as exc:  # what CreateLicense would refuse; the message names the member
        raise ControlError(f"POST {_LICENSES}: {exc}") from None
    return {"licenseArn": seeded.license_arn, "grantArn": seeded.grant_arn}


def _organization(dispatcher: Dispatcher, payload: dict[str, Any]) -> dict[str, Any]:
    _known(payload, _ORGANIZATION_FIELDS, _ORGANIZATION)
    organization_id = _text(payload, "organizationId")
    if not ORGANIZATION_ID.fullmatch(organization_id):
        raise ControlError('"organizationId" must look like o-<10 to 32 lowercase letters or digits>.')
    accounts = payload.get("accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) and ACCOUNT_ID.fullmatch(a) for a in accounts):
        raise ControlError('"accounts" must be a list of 12-digit account ids.')
    ous = payload.get("ous", {})
    if not isinstance(ous, dict):
        raise ControlError('"ous" must be an object: OU id -> list of 12-digit account ids.')
    for ou, members in ous.items():
        if not OU_ID.fullmatch(ou):
            raise ControlError(f'"ous": {ou!r} is not an OU id (ou-<root>-<id>, e.g. ou-ab12-cd34ef56).')
        if not isinstance(members, list) or not all(isinstance(a, str) and ACCOUNT_ID.fullmatch(a) for a in members):
            raise ControlError(f'"ous.{ou}" must be a list of 12-digit account ids.')
    all_features = payload.get("allFeatures", True)
    if not isinstance(all_features, bool):
        raise ControlError('"allFeatures" must be true or false.')
    try:
        arn = dispatcher.engine.set_organization(
            organization_id=organization_id,
            management_account=_account(payload, "managementAccount"),
            accounts=accounts,
            ous=ous,
            all_features=all_features,
        )
    except ValueError as exc:  # an account already in another organization
        raise ControlError(f"POST {_ORGANIZATION}: {exc}.") from None
    return {"organizationArn": arn}


def _known(payload: dict[str, Any], fields: tuple[str, ...], route: str) -> None:
    unknown = sorted(set(payload) - set(fields))
    if unknown:
        raise ControlError(f"Unknown field(s) {', '.join(map(repr, unknown))}: POST {route} takes {', '.join(fields)}.")


def _text(payload: dict[str, Any], field: str, default: str | None = None) -> str:
    """A non-empty string field (bounded); `default` when absent or null, required when there is no default."""
    value = payload.get(field)
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise ControlError(f'"{field}" must be a non-empty string of at most {_MAX_TEXT} characters.')
    return value


def _account(payload: dict[str, Any], field: str) -> str:
    value = _text(payload, field)
    if not ACCOUNT_ID.fullmatch(value):
        raise ControlError(f'"{field}" must be a 12-digit account id, not {value!r}.')
    return value

"""`verify()` under hostile input: every malformed token is a `TokenVerificationError` with its reason, never another
exception, and only the canonical encoding of a signed token verifies."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensemanager_sdk import TokenVerificationError
from licensemanager_sdk.entitlements import verify
from licensemanager_sdk.entitlements._verify import MAX_TOKEN_CHARS, VerifiedToken

_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC = _PRIVATE.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
CLAIMS: dict[str, Any] = {
    "licenseArn": "arn:aws:license-manager::111111111111:license:l-0123456789abcdef0123456789abcdef",
    "licenseConsumptionToken": "0cd7b2bc7c674573a669bea8f5b75f2d",
    "entitlementsAllowed": [{"name": "Users", "value": "1", "unit": "Count"}],
    "nodeId": "node-7",
    "issuedAt": "2024-05-01T11:00:00",
    "expiration": "2024-05-01T13:00:00",
}
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    return jwt.encode(claims, _PRIVATE, algorithm="PS384", headers=header)


def _raw_header(text: str, token: str) -> str:
    _, payload, signature = token.split(".")
    return f"{_b64(text.encode())}.{payload}.{signature}"


def _refused(token: str, reason: str, **kwargs: Any) -> TokenVerificationError:
    with pytest.raises(TokenVerificationError) as caught:
        verify(token, public_key=PUBLIC, now=NOW, **kwargs)
    assert caught.value.reason == reason, caught.value
    return caught.value


def test_our_tokens_verify_and_pyjwt_agrees() -> None:
    token = _sign({**CLAIMS, "iat": int(NOW.timestamp()) - 60, "exp": int(NOW.timestamp()) + 60})
    verified = verify(token, public_key=PUBLIC, now=NOW, node_id="node-7")
    assert verified.has("Users") and verified.node_id == "node-7"
    pem = _PRIVATE.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert jwt.decode(token, pem, algorithms=["PS384"], options={"verify_exp": False}) == dict(verified.claims)


def test_headers_that_break_the_json_parser_are_malformed() -> None:
    good = _sign(CLAIMS)
    for header in (
        '{"alg":"PS384","x":' + "9" * 5000 + "}",  # int max-str-digits ValueError
        '{"alg":"PS384","x":' + "[" * 20_000 + "]" * 20_000 + "}",  # RecursionError
        '{"alg":"PS384","x":' + "[" * 100_000 + "]" * 100_000 + "}",  # over the size bound
        '{"alg":"PS384","x":NaN}',
        '{"alg":"PS384","x":1e999}',
        '{"alg":"none","alg":"PS384"}',  # duplicate keys: which alg?
        '["PS384"]',
        '{"alg":"PS384"',
    ):
        _refused(_raw_header(header, good), "malformed")
    error = _refused(_raw_header('{"alg":"PS384","x":' + "9" * 5000 + "}", good), "malformed")
    assert "set_int_max_str_digits" not in str(error)
    header_bytes = b'{"alg":"PS384","typ":"\xff"}'
    _refused(f"{_b64(header_bytes)}.{good.split('.', 1)[1]}", "malformed")


def test_a_huge_alg_value_is_not_echoed_whole() -> None:
    error = _refused(_raw_header(json.dumps({"alg": "X" * 10_000}), _sign(CLAIMS)), "algorithm")
    assert len(str(error)) < 300


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": "soon"},
        {"exp": True},
        {"exp": [1]},
        {"exp": 10**30},
        {"exp": 1e300},
        {"nbf": -(10**20)},
        {"iat": 10**20},
        {"iat": None},
        {"entitlementsAllowed": "Users"},
        {"entitlementsAllowed": [{"name": 5}]},
        {"entitlementsAllowed": [{"name": "Users", "value": {"n": 1}}]},
        {"entitlementsAllowed": [{"name": "Users", "unit": 3}]},
        {"entitlementsAllowed": ["Users"]},
        {"issuedAt": 1714561200},
        {"expiration": ["2024-05-01T13:00:00"]},
        {"expiration": "tomorrow"},
        {"expiration": "9999-12-31T23:59:59"},
        {"issuedAt": "0001-01-01T00:00:00"},
        {"checkoutMetadata": [1, 2]},
        {"checkoutMetadata": {"a": 1}},
        {"licenseArn": 7},
        {"licenseConsumptionToken": {"t": 1}},
        {"nodeId": 3},
    ],
)
def test_claims_of_the_wrong_type_or_range_are_refused(changes: dict[str, Any]) -> None:
    _refused(_sign({**CLAIMS, **changes}), "claims", leeway=timedelta(days=1))


def test_registered_time_claims_are_enforced() -> None:
    at = int(NOW.timestamp())
    _refused(_sign({**CLAIMS, "exp": at - 1}), "expired")
    _refused(_sign({**CLAIMS, "nbf": at + 600}), "not_yet_valid")
    _refused(_sign({**CLAIMS, "iat": at + 600}), "not_yet_valid")
    assert verify(_sign({**CLAIMS, "nbf": at + 600}), public_key=PUBLIC, now=NOW, leeway=601).has("Users")


def _flip_unused_bits(segment: str) -> str | None:
    """The same bytes with a non-zero unused trailing bit, or None when the segment has no unused bits."""
    if len(segment) % 4 not in (2, 3):
        return None
    last = _ALPHABET.index(segment[-1])
    return segment[:-1] + _ALPHABET[last ^ 1]


def test_non_canonical_base64url_is_refused() -> None:
    token = _sign(CLAIMS)
    parts = token.split(".")
    flipped = 0
    for index in range(3):
        changed = _flip_unused_bits(parts[index])
        if changed is None:
            continue
        assert base64.urlsafe_b64decode(changed + "==") == base64.urlsafe_b64decode(parts[index] + "==")
        flipped += 1
        _refused(".".join([*parts[:index], changed, *parts[index + 1 :]]), "malformed")
    assert flipped, "the fixture token should have a segment with unused bits"
    signature = parts[2]
    for bad in (signature + "==", signature[:-1] + "+", signature[:-1] + "/", signature[:-1] + "é", "A" * 5):
        _refused(f"{parts[0]}.{parts[1]}.{bad}", "malformed")
    _refused(f"{parts[0]}=.{parts[1]}.{signature}", "malformed")
    _refused(f"{parts[0]}.{parts[1]} .{signature}", "malformed")


def test_the_token_size_is_bounded_before_parsing() -> None:
    token = _sign({**CLAIMS, "pad": "x" * MAX_TOKEN_CHARS})
    error = _refused(token, "malformed")
    assert str(MAX_TOKEN_CHARS) in str(error)
    assert verify(_sign({**CLAIMS, "pad": "x" * 1000}), public_key=PUBLIC, now=NOW).has("Users")


def _only_refusals(token: str) -> None:
    try:
        result = verify(token, public_key=PUBLIC, now=NOW)
    except TokenVerificationError:
        return
    assert isinstance(result, VerifiedToken)


_GOOD = _sign(CLAIMS)
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.text(alphabet=_ALPHABET + '.=+/ \n\x00é{}[]"', max_size=400))
def test_fuzz_random_tokens_only_raise_token_verification_error(token: str) -> None:
    _only_refusals(token)


@_FUZZ
@given(st.lists(st.tuples(st.integers(0, len(_GOOD) - 1), st.sampled_from(_ALPHABET + ".=")), min_size=1, max_size=4))
def test_fuzz_mutated_tokens_only_raise_token_verification_error(edits: list[tuple[int, str]]) -> None:
    token = list(_GOOD)
    for position, char in edits:
        token[position] = char
    _only_refusals("".join(token))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_CLAIM_NAMES = st.sampled_from([*CLAIMS, "exp", "nbf", "iat", "checkoutMetadata"])
_ENTITLEMENTS = st.lists(st.dictionaries(st.sampled_from(["name", "value", "unit"]), _JSON), max_size=3)
_METADATA = st.dictionaries(st.text(max_size=5), _JSON, max_size=3)


@_FUZZ
@given(
    st.dictionaries(_CLAIM_NAMES, _JSON, max_size=2),
    st.one_of(st.none(), _ENTITLEMENTS),
    st.one_of(st.none(), _METADATA),
)
def test_fuzz_signed_claims_of_any_shape_only_raise_token_verification_error(
    changes: dict[str, Any], entitlements: list[Any] | None, metadata: dict[str, Any] | None
) -> None:
    claims = {**CLAIMS, **changes}
    if entitlements is not None:
        claims["entitlementsAllowed"] = entitlements
    if metadata is not None:
        claims["checkoutMetadata"] = metadata
    _only_refusals(_sign(claims))

"""`python -m licensemanager_sdk.local --setting NAME=VALUE` builds the engine's Settings."""

from __future__ import annotations

import pytest

from licensemanager_sdk.local import Settings
from licensemanager_sdk.local.__main__ import parse_settings


def test_settings_from_assignments() -> None:
    settings = parse_settings(
        [
            "legacy_status_codes=true",
            "license_activation_delay_s=5",
            "max_tokens=3",
            "checkout_not_found_error=NoEntitlementsAllowedException",
        ]
    )
    assert settings == Settings(
        legacy_status_codes=True,
        license_activation_delay_s=5.0,
        max_tokens=3,
        checkout_not_found_error="NoEntitlementsAllowedException",
    )
    assert parse_settings([]) == Settings()


@pytest.mark.parametrize(
    "assignment", ["nope=1", "legacy_status_codes", "legacy_status_codes=3", "max_grants_per_license=x"]
)
def test_bad_assignments_are_refused(assignment: str) -> None:
    with pytest.raises(ValueError, match="--setting"):
        parse_settings([assignment])

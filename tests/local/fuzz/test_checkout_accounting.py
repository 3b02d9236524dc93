"""Stateful property test of checkout accounting: checkouts, check-ins, extends and clock moves against a license
with MaxCount. Invariant: consumed never exceeds MaxCount and GetLicenseUsage equals the model's count."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from licensemanager_sdk.local import LocalLicenseManager, Settings

from ..hardening.support import call, create_license
from .conftest import PROFILE

MAX_COUNT = 5
TTL_S = 3600
#: Clock moves are multiples of 7 minutes: never within a minute of a 60-minute expiry, whatever real time adds.
STEP_S = 420


class CheckoutAccounting(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.local = LocalLicenseManager(settings=Settings(reuse_rsa_keys=True))
        self.offset = 0
        self.outstanding: dict[str, tuple[int, int]] = {}  # token -> (quantity, expiry offset)
        self.count = 0

    @initialize()
    def license(self) -> None:
        self.arn = create_license(self.local, "accounting", max_count=MAX_COUNT)

    def _live(self) -> int:
        return sum(quantity for quantity, _ in self.outstanding.values())

    @rule(quantity=st.integers(min_value=1, max_value=3))
    def checkout(self, quantity: int) -> None:
        self.count += 1
        status, body = call(self.local, "CheckoutLicense", _checkout(self.arn, quantity, f"c{self.count}"))
        if self._live() + quantity <= MAX_COUNT:
            assert status == 200, body
            self.outstanding[body["LicenseConsumptionToken"]] = (quantity, self.offset + TTL_S)
        else:
            assert status == 400 and body["__type"].endswith("NoEntitlementsAllowedException"), body

    @precondition(lambda self: self.outstanding)
    @rule(data=st.data())
    def check_in(self, data: Any) -> None:
        tokens = list(self.outstanding)  # in checkout order: the draw does not depend on random token values
        token = tokens[data.draw(st.integers(min_value=0, max_value=len(tokens) - 1))]
        status, body = call(self.local, "CheckInLicense", {"LicenseConsumptionToken": token})
        assert status == 200, body
        del self.outstanding[token]

    @precondition(lambda self: self.outstanding)
    @rule(data=st.data())
    def extend(self, data: Any) -> None:
        tokens = list(self.outstanding)  # in checkout order: the draw does not depend on random token values
        token = tokens[data.draw(st.integers(min_value=0, max_value=len(tokens) - 1))]
        status, body = call(self.local, "ExtendLicenseConsumption", {"LicenseConsumptionToken": token})
        assert status == 200, body
        self.outstanding[token] = (self.outstanding[token][0], self.offset + TTL_S)

    @rule(steps=st.integers(min_value=0, max_value=12))
    def advance(self, steps: int) -> None:
        self.local.advance_clock(steps * STEP_S)
        self.offset += steps * STEP_S
        self.outstanding = {t: v for t, v in self.outstanding.items() if v[1] > self.offset}

    @invariant()
    def usage_matches_the_model(self) -> None:
        if not hasattr(self, "arn"):
            return
        status, body = call(self.local, "GetLicenseUsage", {"LicenseArn": self.arn})
        assert status == 200, body
        (usage,) = body["LicenseUsage"]["EntitlementUsages"]
        consumed = int(usage["ConsumedValue"])
        assert consumed <= MAX_COUNT
        assert consumed == self._live()

    def teardown(self) -> None:
        self.local.close()


def _checkout(arn: str, quantity: int, token: str) -> dict[str, Any]:
    return {
        "ProductSKU": "widget-sku",
        "CheckoutType": "PROVISIONAL",
        "KeyFingerprint": "aws:111122223333:Widget Corp:issuer-fingerprint",
        "Entitlements": [{"Name": "Users", "Unit": "Count", "Value": str(quantity)}],
        "ClientToken": token,
        "Beneficiary": "customer-1",
        "LicenseArn": arn,
    }


CheckoutAccounting.TestCase.settings = settings(parent=PROFILE, stateful_step_count=30)
test_checkout_accounting = CheckoutAccounting.TestCase

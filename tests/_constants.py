"""Accounts and values the test modules share."""

from __future__ import annotations

SELLER = "111111111111"
BUYER = "222222222222"
OTHER = "333333333333"
REGION = "us-east-1"

GRANT_OPERATIONS = [
    "CreateGrant",
    "CheckoutLicense",
    "CheckoutBorrowLicense",
    "CheckInLicense",
    "ExtendConsumptionLicense",
    "ListPurchasedLicenses",
    "CreateToken",
]
"""The seven operations the AWS samples grant (SERVICE.md §17 S2)."""

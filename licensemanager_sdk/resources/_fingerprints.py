"""Issuer key fingerprints: the value `CheckoutLicense` and the `Fingerprint` filters match on."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MARKETPLACE_KEY_FINGERPRINT", "key_fingerprint"]

MARKETPLACE_KEY_FINGERPRINT: Final = "aws:294406891311:AWS/Marketplace:issuer-fingerprint"
"""The fingerprint of every license AWS Marketplace issues (issuer account 294406891311, issuer `AWS/Marketplace`)."""

_ACCOUNT = re.compile(r"\d{12}")


def key_fingerprint(account_id: str, issuer_name: str) -> str:
    """The key fingerprint of licenses issued by `account_id` under `issuer_name`.

    Example:
        >>> key_fingerprint("123456789012", "My Company")
        'aws:123456789012:My Company:issuer-fingerprint'

    Raises:
        ValueError: `account_id` is not 12 digits, or `issuer_name` is empty.
    """
    if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
        raise ValueError(f"account_id must be a 12-digit AWS account id such as '123456789012', got {account_id!r}")
    if not issuer_name:
        raise ValueError("issuer_name must be the license's Issuer.Name, got an empty string")
    return f"aws:{account_id}:{issuer_name}:issuer-fingerprint"

"""Grant principals: account ids become `arn:aws:iam::<id>:root`; principal ARNs pass through."""

from __future__ import annotations

import re

__all__ = ["principal_arn"]

_ACCOUNT = re.compile(r"\d{12}")
_ARN = re.compile(r"arn:aws[a-zA-Z-]*:[a-z0-9-]+:[^:\s]*:[^:\s]*:\S+")


def principal_arn(principal: str) -> str:
    """The ARN CreateGrant takes for `principal`: a 12-digit account id, or an account/organization/OU ARN.

    Raises:
        ValueError: neither an account id nor an ARN.
    """
    if not isinstance(principal, str):
        raise TypeError(f"a principal is a string, got {type(principal).__name__}")
    text = principal.strip()
    if _ACCOUNT.fullmatch(text):
        return f"arn:aws:iam::{text}:root"
    if _ARN.fullmatch(text):
        return text
    raise ValueError(
        f"principal {principal!r} is neither a 12-digit account id nor a principal ARN "
        "(arn:aws:iam::<account>:root, arn:aws:organizations::<account>:organization/o-..., or .../ou/o-.../ou-...)"
    )

"""Credentials for software outside AWS: a License Manager refresh token exchanged for role credentials, refreshed.

    session = refresh_token_session(token, role_arn="arn:aws:iam::111122223333:role/Consumer", region_name="us-east-1")
    lm = LicenseManager.from_refresh_token(token, role_arn=..., region_name="us-east-1")  # the same, as a client

See docs/software-outside-aws.md.
"""

from licensemanager_sdk._exceptions import RefreshTokenError, RefreshTokenReason
from licensemanager_sdk.credentials._refresh_token import DEFAULT_REGION, refresh_token_session

__all__ = ["DEFAULT_REGION", "RefreshTokenError", "RefreshTokenReason", "refresh_token_session"]

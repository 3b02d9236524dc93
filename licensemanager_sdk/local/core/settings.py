"""Behaviour switches of the emulator (SERVICE.md §15/§16); the defaults are the spec's defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Emulator behaviour. Every field names the SERVICE.md ASSUMPTION it switches."""

    #: CreateLicense answers AVAILABLE instead of PENDING_AVAILABLE (§15 #1).
    create_license_returns_available: bool = False
    #: Seconds a new license reads PENDING_AVAILABLE before AVAILABLE (§4.3).
    license_activation_delay_s: float = 0.0
    #: CreateGrant answers PENDING_ACCEPT instead of PENDING_WORKFLOW (§15 #2).
    create_grant_returns_pending_accept: bool = False
    #: Answer HTTP 400 for every client error instead of the Smithy codes (§11.2).
    legacy_status_codes: bool = False
    #: CheckoutLicense error when no license matches (§15 #9):
    #: ResourceNotFoundException or NoEntitlementsAllowedException.
    checkout_not_found_error: str = "ResourceNotFoundException"
    #: Error for an unknown grant ARN (§5.6): InvalidParameterValueException or ResourceNotFoundException
    #: (ResourceNotFoundException is not modelled for the grant operations; it then falls back to ValidationException).
    unknown_grant_error: str = "InvalidParameterValueException"
    #: CheckoutLicense works from every region; False answers RedirectException outside the home region (§12).
    global_consumption: bool = True
    #: Add `kid` (the SignKey ARN) to the SignedToken JOSE header (§7).
    signed_token_include_kid: bool = False
    #: Grants per license (§13, "up to 2,000 grants per license").
    max_grants_per_license: int = 2000
    #: AVAILABLE refresh tokens per account; None = unlimited (§8.1).
    max_tokens: int | None = None
    #: Largest CreateToken ExpirationInDays (§8.1 ASSUMPTION 1..3650).
    max_token_expiration_days: int = 3650
    #: Page size of List* calls without MaxResults (§9).
    default_page_size: int = 100
    #: How long a ClientToken replays its first answer, in seconds (§4.3: 10 minutes).
    idempotency_window_s: float = 600.0
    #: DeleteLicense DeletionDate = now + this many days (§4.6).
    deletion_retention_days: int = 180
    #: DeleteLicense answers ConflictException while PROVISIONAL/BORROW checkouts are outstanding (§4.6).
    delete_license_conflicts_on_active_checkouts: bool = True
    #: ListReceivedLicenses shows only grants allowing ListPurchasedLicenses/ListReceivedLicenses (§14 #15).
    received_licenses_require_list_operation: bool = True
    #: KeySpec of a KMS key created lazily for an unknown Issuer.SignKey (§4.3).
    lazy_sign_key_spec: str = "RSA_4096"
    #: Reuse one RSA private key per size within the process (fast tests; never for anything real).
    reuse_rsa_keys: bool = False

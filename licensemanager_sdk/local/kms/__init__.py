"""The local KMS subset License Manager's users need: RSA signing keys."""

__all__: list[str] = []

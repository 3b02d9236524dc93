"""Emulated IAM, the minimum the refresh-token flow needs: roles, managed policies and their attachments.

Permission policies are stored, not enforced; trust policies are evaluated for AssumeRoleWithWebIdentity.
"""

__all__: list[str] = []

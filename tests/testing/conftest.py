"""The `mock_license_manager` fixture, as users get it from `pytest_plugins = ["licensemanager_sdk.testing"]`."""

from licensemanager_sdk.testing import mock_license_manager_fixture

__all__ = ["mock_license_manager_fixture"]

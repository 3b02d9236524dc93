"""License Manager's wire answers: one method per implemented operation (named by `botocore.xform_name`).

Each method takes the caller and the validated wire parameters (JSON `null`s dropped) and returns the wire body;
the operation modules (`licenses`, `grants`, `consumption`, `tokens`, `tags`) hold the logic over the backend.
"""

from __future__ import annotations

from typing import Any

from ..core.caller import Caller
from ..core.faults import ServiceFault
from ..core.responses import ServiceResponses
from . import consumption, grants, licenses, tags, tokens
from .backend import Backend
from .exceptions import SERVICE, shape_fault

__all__ = ["LicenseManagerResponses"]

Wire = dict[str, Any]


class LicenseManagerResponses(ServiceResponses):
    """The License Manager operations the local service implements."""

    service = SERVICE

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def shape_fault(self, operation: str, fault: ServiceFault) -> ServiceFault:
        """Only errors modelled for the operation, with the HTTP status of their code."""
        return shape_fault(operation, fault, self.backend.settings)

    # ----- licenses -----

    def create_license(self, caller: Caller, params: Wire) -> Wire:
        return licenses.create_license(self.backend, caller, params)

    def create_license_version(self, caller: Caller, params: Wire) -> Wire:
        return licenses.create_license_version(self.backend, caller, params)

    def get_license(self, caller: Caller, params: Wire) -> Wire:
        return licenses.get_license(self.backend, caller, params)

    def list_licenses(self, caller: Caller, params: Wire) -> Wire:
        return licenses.list_licenses(self.backend, caller, params)

    def list_license_versions(self, caller: Caller, params: Wire) -> Wire:
        return licenses.list_license_versions(self.backend, caller, params)

    def delete_license(self, caller: Caller, params: Wire) -> Wire:
        return licenses.delete_license(self.backend, caller, params)

    def get_license_usage(self, caller: Caller, params: Wire) -> Wire:
        return licenses.get_license_usage(self.backend, caller, params)

    def list_received_licenses(self, caller: Caller, params: Wire) -> Wire:
        return licenses.list_received_licenses(self.backend, caller, params)

    def list_received_licenses_for_organization(self, caller: Caller, params: Wire) -> Wire:
        return licenses.list_received_licenses_for_organization(self.backend, caller, params)

    # ----- grants -----

    def create_grant(self, caller: Caller, params: Wire) -> Wire:
        return grants.create_grant(self.backend, caller, params)

    def create_grant_version(self, caller: Caller, params: Wire) -> Wire:
        return grants.create_grant_version(self.backend, caller, params)

    def get_grant(self, caller: Caller, params: Wire) -> Wire:
        return grants.get_grant(self.backend, caller, params)

    def accept_grant(self, caller: Caller, params: Wire) -> Wire:
        return grants.accept_grant(self.backend, caller, params)

    def reject_grant(self, caller: Caller, params: Wire) -> Wire:
        return grants.reject_grant(self.backend, caller, params)

    def delete_grant(self, caller: Caller, params: Wire) -> Wire:
        return grants.delete_grant(self.backend, caller, params)

    def list_distributed_grants(self, caller: Caller, params: Wire) -> Wire:
        return grants.list_distributed_grants(self.backend, caller, params)

    def list_received_grants(self, caller: Caller, params: Wire) -> Wire:
        return grants.list_received_grants(self.backend, caller, params)

    def list_received_grants_for_organization(self, caller: Caller, params: Wire) -> Wire:
        return grants.list_received_grants_for_organization(self.backend, caller, params)

    # ----- consumption -----

    def checkout_license(self, caller: Caller, params: Wire) -> Wire:
        return consumption.checkout_license(self.backend, caller, params)

    def checkout_borrow_license(self, caller: Caller, params: Wire) -> Wire:
        return consumption.checkout_borrow_license(self.backend, caller, params)

    def check_in_license(self, caller: Caller, params: Wire) -> Wire:
        return consumption.check_in_license(self.backend, caller, params)

    def extend_license_consumption(self, caller: Caller, params: Wire) -> Wire:
        return consumption.extend_license_consumption(self.backend, caller, params)

    # ----- tokens -----

    def create_token(self, caller: Caller, params: Wire) -> Wire:
        return tokens.create_token(self.backend, caller, params)

    def delete_token(self, caller: Caller, params: Wire) -> Wire:
        return tokens.delete_token(self.backend, caller, params)

    def list_tokens(self, caller: Caller, params: Wire) -> Wire:
        return tokens.list_tokens(self.backend, caller, params)

    def get_access_token(self, caller: Caller, params: Wire) -> Wire:
        return tokens.get_access_token(self.backend, caller, params)

    # ----- tags -----

    def tag_resource(self, caller: Caller, params: Wire) -> Wire:
        return tags.tag_resource(self.backend, caller, params)

    def untag_resource(self, caller: Caller, params: Wire) -> Wire:
        return tags.untag_resource(self.backend, caller, params)

    def list_tags_for_resource(self, caller: Caller, params: Wire) -> Wire:
        return tags.list_tags_for_resource(self.backend, caller, params)

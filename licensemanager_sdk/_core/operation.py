"""`OperationSpec`: what the call path needs to know about one operation (rows of the generated table)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

__all__ = ["OperationSpec"]

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")


@dataclass(frozen=True, slots=True)
class OperationSpec(Generic[RequestT, ResponseT]):
    """One License Manager operation: its models, pagination, idempotency member and retry safety.

    The models are named, and loaded from `licensemanager_sdk.types` on first use: building the table (and the `Api`)
    builds no model, and a call builds only its own models and the shapes they nest.
    """

    name: str
    """AWS operation name, e.g. `"CreateGrant"`."""
    method: str
    """boto3 method name, e.g. `"create_grant"`."""
    input_name: str | None
    """Name of the request model in `licensemanager_sdk.types`; None for an operation without input."""
    output_name: str
    """Name of the response model in `licensemanager_sdk.types`."""
    idempotency_member: str | None
    """`"ClientToken"` where the operation takes one; the client fills it once per logical call."""
    safe_to_retry: bool
    """A blind replay is harmless (reads, and writes listed in codegen/overrides.toml)."""
    result_key: str | None
    """Wire name of the list a paginated operation returns."""
    errors: tuple[str, ...]
    """Error codes the model declares for the operation."""
    _loaded: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def input_model(self) -> type[RequestT] | None:
        """The request model (imported on first use), None for an operation without input."""
        return None if self.input_name is None else cast("type[RequestT]", self._model(self.input_name))

    @property
    def output_model(self) -> type[ResponseT]:
        """The response model (imported on first use)."""
        return cast("type[ResponseT]", self._model(self.output_name))

    @property
    def replay_safe(self) -> bool:
        """Whether an attempt whose outcome is unknown (5xx, timeout) may be sent again."""
        return self.safe_to_retry or self.idempotency_member is not None

    def _model(self, name: str) -> Any:
        model = self._loaded.get(name)
        if model is None:
            model = self._loaded[name] = getattr(importlib.import_module("licensemanager_sdk.types"), name)
        return model

    def __repr__(self) -> str:
        return f"OperationSpec({self.name})"

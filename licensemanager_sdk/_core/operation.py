"""`OperationSpec`: what the call path needs to know about one operation (rows of the generated table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["OperationSpec"]

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")


@dataclass(frozen=True, slots=True)
class OperationSpec(Generic[RequestT, ResponseT]):
    """One License Manager operation: its models, pagination, idempotency member and retry safety."""

    name: str
    """AWS operation name, e.g. `"CreateGrant"`."""
    method: str
    """boto3 method name, e.g. `"create_grant"`."""
    input_model: type[RequestT] | None
    output_model: type[ResponseT]
    idempotency_member: str | None
    """`"ClientToken"` where the operation takes one; the client fills it once per logical call."""
    safe_to_retry: bool
    """A blind replay is harmless (reads, and writes listed in codegen/overrides.toml)."""
    result_key: str | None
    """Wire name of the list a paginated operation returns."""
    errors: tuple[str, ...]
    """Error codes the model declares for the operation."""

    @property
    def replay_safe(self) -> bool:
        """Whether an attempt whose outcome is unknown (5xx, timeout) may be sent again."""
        return self.safe_to_retry or self.idempotency_member is not None

    def __repr__(self) -> str:
        return f"OperationSpec({self.name})"

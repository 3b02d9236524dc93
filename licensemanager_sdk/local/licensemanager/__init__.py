"""The local AWS License Manager: typed state, operations, wire responses, errors."""

__all__: list[str] = []

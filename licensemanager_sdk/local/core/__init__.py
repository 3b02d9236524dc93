"""Shared machinery of the local services: store, clock, ids, settings, validation, listing, faults."""

__all__: list[str] = []

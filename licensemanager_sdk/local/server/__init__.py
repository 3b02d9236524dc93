"""The transports: dispatch, wire format, HTTP server, in-process botocore attach, /_local control endpoints."""

__all__: list[str] = []

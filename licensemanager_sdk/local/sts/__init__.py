"""The local STS subset: GetCallerIdentity."""

__all__: list[str] = []

"""The User-Agent header of SDK-built clients, built once per set of features instead of twice per request.

botocore assembles the header from about twenty components twice for every request (when it serialises the request,
then again just before signing, to add the features registered meanwhile): about a fifth of a GetLicense. Its inputs
are fixed per client except the request's feature ids, so the string is kept per set of feature ids; the header sent
is the one botocore would build.
"""

from __future__ import annotations

from typing import Any

from botocore.context import get_context

__all__ = ["CachedUserAgent", "install"]

_MOST = 64
"""Distinct feature sets kept per client (a handful occur in practice); past it the cache starts over."""


class CachedUserAgent:
    """Stands in for a client's `UserAgentString`: the same two methods, answered from a cache."""

    def __init__(self, creator: Any) -> None:
        self._creator = creator
        self._built: dict[frozenset[str], str] = {}

    def to_string(self) -> str:
        """botocore's header for the features of the current request (and of the client)."""
        context = get_context()
        key = frozenset(self._creator._client_features or ()).union(context.features if context is not None else ())
        found = self._built.get(key)
        if found is None:
            if len(self._built) >= _MOST:
                self._built.clear()
            found = self._built[key] = self._creator.to_string()
        return found

    def rebuild_and_replace_user_agent_handler(self, request: Any, **_: Any) -> None:
        """botocore's `request-created` handler: the header again, with the features registered since."""
        user_agent = self.to_string()
        if request.headers.get("User-Agent"):
            request.headers.replace_header("User-Agent", user_agent)


def install(client: Any) -> None:
    """Replace the client's User-Agent builder and its `request-created` handler by the cached ones."""
    original = client._user_agent_creator
    cached = CachedUserAgent(original)
    event = f"request-created.{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.unregister(event, original.rebuild_and_replace_user_agent_handler)
    client.meta.events.register_last(event, cached.rebuild_and_replace_user_agent_handler)
    client._user_agent_creator = cached

"""The one call path: operation specs, client building, invoke, retry and the fast response parser."""

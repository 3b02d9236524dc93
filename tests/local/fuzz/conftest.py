"""Hypothesis profiles of the fuzz suite (used through `settings(parent=...)`, never loaded globally).

`make test` runs the quick profile (about a minute in all); `make fuzz` sets HYPOTHESIS_PROFILE=fuzz."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-quick", max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
settings.register_profile("fuzz", max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))

PROFILE = settings.get_profile("fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "fuzz-quick")

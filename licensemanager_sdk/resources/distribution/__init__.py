"""Scripted grant distribution (`lm.grants.distribute`): one license to many principals, safely re-runnable.

`run.py` holds the run (how it goes, step by step, is told there), `report.py` the `DistributionReport` and its
JSON/CSV writers, `rate.py` the client-side CreateGrant rate control.
"""

from licensemanager_sdk.resources.distribution.report import DistributionReport, Outcome, PrincipalOutcome
from licensemanager_sdk.resources.distribution.run import (
    DEAD_STATUSES,
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    distribute,
)

__all__ = [
    "DEAD_STATUSES",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RATE_LIMIT",
    "DistributionReport",
    "Outcome",
    "PrincipalOutcome",
    "distribute",
]

"""Scripted grant distribution (`lm.grants.distribute`): one license to many principals, safely re-runnable.

`run.py` holds the threaded run (how it goes, step by step, is told there), `plan.py` the checks and what one listing
says about each principal, `attempt.py` each principal's CreateGrant attempts, `report.py` the `DistributionReport`,
its JSON/CSV writers and the report streamed to disk, `rate.py` the client-side CreateGrant rate control. The async
run (`licensemanager_sdk._aio.distribution`) shares all but run.py.
"""

from licensemanager_sdk.resources.distribution.plan import DEAD_STATUSES, DEFAULT_CONCURRENCY, DEFAULT_RATE_LIMIT
from licensemanager_sdk.resources.distribution.report import (
    DistributionReport,
    Outcome,
    PrincipalOutcome,
    read_outcomes,
)
from licensemanager_sdk.resources.distribution.run import distribute

__all__ = [
    "DEAD_STATUSES",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RATE_LIMIT",
    "DistributionReport",
    "Outcome",
    "PrincipalOutcome",
    "distribute",
    "read_outcomes",
]

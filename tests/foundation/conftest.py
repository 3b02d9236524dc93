from __future__ import annotations

import pytest

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig
from tests._wire import CannedWire


class SleepRecorder(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def lm(sleeps: SleepRecorder) -> LicenseManager:
    return LicenseManager(
        region_name="us-east-1",
        endpoint_url="http://localhost.invalid",
        config=ClientConfig(retry=RetryConfig(max_attempts=3, sleep=sleeps)),
    )


@pytest.fixture
def wire(lm: LicenseManager) -> CannedWire:
    return CannedWire().attach(lm.boto3_client)

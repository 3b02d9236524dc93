"""The check each generated smoke test runs for one operation (see tests/generated/test_operations.py)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore import xform_name
from botocore.stub import ANY, Stubber
from botocore.validate import validate_parameters

from licensemanager_sdk import ClientConfig, LicenseManager, RetryConfig
from licensemanager_sdk._generated._operations import OPERATIONS
from licensemanager_sdk._models import REVEAL_SECRETS

_SESSION = boto3.Session(aws_access_key_id="123456789012", aws_secret_access_key="x", region_name="us-east-1")


def check_operation(operation: str, required: dict[str, Any], full: dict[str, Any], response: dict[str, Any]) -> None:
    spec = OPERATIONS[operation]
    lm = LicenseManager(
        session=_SESSION,
        endpoint_url="http://localhost.invalid",
        config=ClientConfig(retry=RetryConfig(max_attempts=1)),
    )
    op_model = lm.boto3_client.meta.service_model.operation_model(operation)
    output = spec.output_model

    # A canned response for the output shape parses into the model, from dicts and from JSON bytes alike.
    parsed = output.model_validate(response)
    assert output.model_validate_json(json.dumps(response)) == parsed
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_none=True, context={REVEAL_SECRETS: True})
    assert output.model_validate(dumped) == parsed

    for index, wire in enumerate((required, full)):
        if spec.input_model is None:
            request = None
            params: dict[str, Any] = {}
        else:
            request = spec.input_model.model_validate(wire)
            params = request.to_wire()
            assert spec.input_model.model_validate(params) == request
            validate_parameters(params, op_model.input_shape)  # botocore accepts what we send
        expected = dict(params)
        if spec.idempotency_member is not None and spec.idempotency_member not in expected:
            expected[spec.idempotency_member] = ANY
        method = getattr(lm.api, spec.method)
        with Stubber(lm.boto3_client) as stub:
            stub.add_response(spec.method, response, expected)
            if request is None:
                result = method()
            elif index == 0:
                result = method(**{xform_name(k): v for k, v in wire.items()})
            else:
                result = method(request)
            stub.assert_no_pending_responses()
        assert isinstance(result, output)
        assert result.model_dump() == parsed.model_dump()
        assert result.response_metadata is not None and result.response_metadata.attempts == 1

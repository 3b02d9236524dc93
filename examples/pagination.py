"""Pagination: every list call as a lazy iterator of items, or of whole pages."""

from __future__ import annotations

from examples._client import client
from licensemanager_sdk import LicenseManager
from licensemanager_sdk.types import Filter


def main(lm: LicenseManager, license_arn: str) -> None:
    tokens = lm.api.paginate_list_tokens(filters=[Filter(name="LicenseArns", values=[license_arn])], page_size=2)
    # Nothing has been sent yet: the first page is fetched when iteration starts.
    for token in tokens:
        print(f"token {token.token_id} expires {token.expiration_time:%Y-%m-%d}")

    for page in tokens.pages():  # iterating again starts again from the first page
        print(f"page of {len(page.items)}, next token: {page.next_token is not None}")

    first_three = list(lm.api.paginate_list_tokens(max_items=3))  # asks for no more than it needs
    print(f"first three: {[t.token_id for t in first_three]}")


if __name__ == "__main__":
    from examples import quickstart

    lm = client()
    arn = quickstart.main(lm)
    for _ in range(5):
        lm.api.create_token(license_arn=arn)
    main(lm, arn)

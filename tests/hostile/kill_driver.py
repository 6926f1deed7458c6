"""A processing run in a process of its own, for the kill test: ``python kill_driver.py URL TOKEN
REPO ISSUE``. It processes the issue with the hostile suite's quiet config and prints the report.

Kept apart from the CLI so the kill test measures the processor's crash safety, not argument
parsing; it imports only the package.
"""

from __future__ import annotations

import json
import sys

from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.runs import process_issue
from gh_store.transport.rest import GhApiTransport


def main(argv: list[str]) -> int:
    api_url, token, repo, issue = argv
    config = StoreConfig(
        retries=RetryConfig(max_attempts=1, backoff_factor=0),
        rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=0),
    )
    with GhApiTransport(
        repo, token, api_url=api_url, retries=config.retries, rate_limit=config.rate_limit
    ) as transport:
        report = process_issue(transport, config, int(issue))
    print(json.dumps(report.to_dict()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

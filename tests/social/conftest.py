"""Fixtures of the social tests: a fake per test when faults are injected, resources pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from isolation import domain_database
from social_testkit import NOW

from affiliate_assets.defs.social.clients import SocialApis
from affiliate_assets.fakes.runtime import RunningFake, start_fake

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("social")


@pytest.fixture
def fake() -> Iterator[RunningFake]:
    running = start_fake("social", now=NOW)
    yield running
    running.stop()


@pytest.fixture
def social_resources(resources: dict, fake: RunningFake) -> dict:
    """The code location's resources, social data from this test's fake (every platform in fake mode)."""
    return {**resources, "social": SocialApis(fake_url=fake.base_url, now=NOW)}

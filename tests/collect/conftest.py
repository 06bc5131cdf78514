"""Fixtures of the collection tests: one moto organization for the package, fake credentials only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from tests.collect.world import REGION, World, build_world

_FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake-secret-key-for-moto",
    "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
}
_CLEARED = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL",
            "MOTO_ACCOUNT_ID")


@pytest.fixture(scope="package")
def fake_aws_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fake keys and empty config files for the whole package (package fixtures run before conftest's autouse)."""
    empty = Path(tmp_path_factory.mktemp("aws")) / "none"
    with pytest.MonkeyPatch.context() as patch:
        for name in _CLEARED:
            patch.delenv(name, raising=False)
        for name, value in _FAKE_ENVIRONMENT.items():
            patch.setenv(name, value)
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        yield


@pytest.fixture(scope="package")
def world(fake_aws_environment: None) -> Iterator[World]:
    """The moto organization of `tests.collect.world`, shared by every module of the package (none mutates it)."""
    with mock_aws():
        yield build_world()


@pytest.fixture
def aws_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake keys for one test (after conftest's autouse fixture has cleared every AWS variable)."""
    for name, value in _FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)

"""One temporary Prefect API for the whole test session."""

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """Run flows against a temporary Prefect server with its own database."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


from tests.digest.conftest import starttls_server  # noqa: E402, F401  (the SMTP test server)

"""The fuzz tests run on the integration fixtures (moto with the template's resources)."""

from tests.integration.conftest import faceid, stack, store  # noqa: F401 - re-exported fixtures

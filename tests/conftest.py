import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from portal.translations import compile_catalogues
from tests.factories import NOW


def pytest_configure(config):
    # Swedish is the default language: the tests need compiled catalogues.
    compile_catalogues()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache, so query budgets count cold pages."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate their language in the test thread; start each test in Swedish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def frozen_now():
    """Freeze the clock at the tests' fixed "now" (tests.factories.NOW)."""
    with time_machine.travel(NOW, tick=False):
        yield NOW

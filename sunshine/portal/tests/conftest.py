import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese_first():
    """Messages are asserted in Chinese, the default language, whatever an earlier test chose."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Estimates are cached per round id, and test databases reuse ids."""
    cache.clear()

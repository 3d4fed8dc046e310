import pytest

from cases.gesture_rules import active


@pytest.fixture(autouse=True)
def _no_cached_rules():
    """Each test reads its own rules: a copy cached by an earlier test (rolled back) would not be."""
    active.forget()
    yield
    active.forget()

import pytest

from medaid_logic.engine import Engine
from medaid_logic.kb import load_kb


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(scope="session")
def engine(kb):
    return Engine(kb=kb)

import os

import pytest

from medaid_logic.engine import Engine
from medaid_logic.kb import load_kb


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory):
    """The suite's own cache of KBs read and validated before (kb_cache), for it and the
    commands it starts: nothing of the user's ~/.cache is read or written."""
    os.environ["MEDAID_CACHE_DIR"] = str(tmp_path_factory.mktemp("medaid-cache"))
    return os.environ["MEDAID_CACHE_DIR"]


@pytest.fixture(scope="session")
def kb(cache_dir):
    return load_kb()


@pytest.fixture(scope="session")
def engine(kb):
    return Engine(kb=kb)

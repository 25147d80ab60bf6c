"""shapes_cache: a KB is validated once per content. A marker is left only by a KB that passed,
is found only for the very same files, validator and library versions, and its absence or any
trouble with the cache means validating again — never a KB let through unchecked."""
import os
import shutil

import pytest

from medaid_logic import kb as kbmod, shapes_cache
from medaid_logic.errors import KBError
from medaid_logic.kb import KB, KB_DIR, Validation


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("MEDAID_CACHE_DIR", str(d))
    return d


@pytest.fixture
def kb_dir(tmp_path):
    d = tmp_path / "kb"
    shutil.copytree(KB_DIR, d)
    return d


@pytest.fixture
def runs(monkeypatch):
    """How many times pySHACL ran."""
    calls = []
    real = kbmod.validate_graph
    monkeypatch.setattr(kbmod, "validate_graph", lambda *a: calls.append(1) or real(*a))
    return calls


def markers(cache):
    return sorted(p.name for p in (cache / "shapes-passed").iterdir()) if (cache / "shapes-passed").exists() else []


def test_a_kb_that_passed_is_not_validated_again(cache, kb_dir, runs):
    KB(kb_dir)
    assert len(runs) == 1 and len(markers(cache)) == 1
    KB(kb_dir)
    assert len(runs) == 1
    KB(kb_dir, fresh=True)   # `medaid kb validate`
    assert len(runs) == 2


@pytest.mark.parametrize("name", ["rules/taiyuan.ttl", "shapes.ttl"])
def test_a_changed_file_is_validated_again(cache, kb_dir, runs, name):
    KB(kb_dir)
    with open(kb_dir / name, "a", encoding="utf-8") as f:
        f.write("\n# one more comment\n")
    KB(kb_dir)
    assert len(runs) == 2 and len(markers(cache)) == 2


def test_another_pyshacl_is_another_digest(cache, kb_dir, runs, monkeypatch):
    KB(kb_dir)
    real = shapes_cache.version
    monkeypatch.setattr(shapes_cache, "version", lambda name: real(name) + ("+other" if name == "pyshacl" else ""))
    KB(kb_dir)
    assert len(runs) == 2


def test_a_kb_that_fails_leaves_no_marker_and_fails_again(cache, kb_dir, runs):
    KB(kb_dir)  # the good files passed: their marker must not speak for other files
    rules = kb_dir / "rules" / "taiyuan.ttl"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("ma:clause <taiyuan/第八条(二)> .", "ma:clause <taiyuan/第八十八条> .", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KBError, match="must exist in kb/texts"):
            KB(kb_dir)
    assert len(runs) == 3 and len(markers(cache)) == 1


def test_no_cache_when_turned_off_or_unusable(tmp_path, kb_dir, runs, monkeypatch):
    monkeypatch.setenv("MEDAID_CACHE_DIR", "")
    KB(kb_dir)
    KB(kb_dir)
    assert len(runs) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("MEDAID_CACHE_DIR", str(blocked))
    KB(kb_dir)
    KB(kb_dir)
    assert len(runs) == 4


def test_a_marker_that_does_not_name_itself_is_no_marker(cache, kb_dir, runs):
    KB(kb_dir)
    (marker,) = (cache / "shapes-passed").iterdir()
    marker.write_text("")  # a marker cut short (a full disk)
    KB(kb_dir)
    assert len(runs) == 2 and marker.read_text() == marker.name


def test_the_batch_validation_aside_forks_only_for_files_not_yet_passed(cache, kb_dir, runs):
    kb = KB(kb_dir, validate=False)
    first = Validation(kb)
    assert first.child is not None
    first.result()
    assert len(markers(cache)) == 1
    again = Validation(kb)
    assert again.child is None
    again.result()


def test_the_cache_follows_xdg_and_home(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDAID_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert shapes_cache.cache_dir() == tmp_path / "xdg" / "medaid-logic"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert shapes_cache.cache_dir() == tmp_path / "home" / ".cache" / "medaid-logic"

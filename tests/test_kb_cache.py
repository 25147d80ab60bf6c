"""kb_cache: a KB is read and validated once per content. A shapes marker is left only by a KB
that passed; an entry is found only for the very same files, package code and library versions;
its absence or any trouble with the cache means reading and validating again — never a KB let
through unchecked, never one read from other files."""
import os
import shutil

import pytest

from medaid_logic import kb as kbmod, kb_cache
from medaid_logic.errors import KBError
from medaid_logic.engine import Engine
from medaid_logic.kb import KB, KB_DIR, Validation, load_kb
from test_kb import CASE  # Taiyuan 第八条(二), dibao 70% of the self-paid 20000 − 10000 = 7000.00


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


def test_another_pyshacl_or_other_code_is_another_digest(cache, kb_dir, runs, monkeypatch):
    KB(kb_dir)
    real = kb_cache.version
    monkeypatch.setattr(kb_cache, "version", lambda name: real(name) + ("+other" if name == "pyshacl" else ""))
    kb_cache._code.cache_clear()
    KB(kb_dir)
    assert len(runs) == 2
    monkeypatch.setattr(kb_cache, "_code", lambda: b"the package as it will be after an edit")
    KB(kb_dir)
    assert len(runs) == 3
    monkeypatch.undo()
    kb_cache._code.cache_clear()  # the real versions again, for the tests after this one


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
    assert kb_cache.cache_dir() == tmp_path / "xdg" / "medaid-logic"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert kb_cache.cache_dir() == tmp_path / "home" / ".cache" / "medaid-logic"
    monkeypatch.setattr(kb_cache.os.path, "expanduser", lambda path: path)  # no home directory at all
    assert kb_cache.cache_dir() is None


# ---- the KB read before -------------------------------------------------------------------

@pytest.fixture
def parses(monkeypatch):
    """How many Turtle files were parsed."""
    calls = []
    real = kbmod.Graph.parse
    monkeypatch.setattr(kbmod.Graph, "parse", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    return calls


def fresh_load(directory, validate=True):
    load_kb.cache_clear()  # another process, as far as load_kb knows
    return load_kb(str(directory), validate)


def test_a_kb_read_before_is_loaded_not_parsed(cache, kb_dir, runs, parses):
    first = fresh_load(kb_dir)
    n = len(parses)
    assert n > 10 and len(runs) == 1 and len(list((cache / "kb").glob("*.pickle"))) == 1
    again = fresh_load(kb_dir)
    assert len(parses) == n and len(runs) == 1 and again is not first
    assert again.directory == kb_dir and again.sources == first.sources
    assert Engine(kb=again).evaluate(CASE) == Engine(kb=first).evaluate(CASE)
    assert Engine(kb=again).evaluate(CASE)["claims"][0]["aid"] == "7000.00"


def test_a_changed_figure_is_read_again(cache, kb_dir, parses):
    fresh_load(kb_dir)
    rules = kb_dir / "rules" / "taiyuan.ttl"
    line = '<taiyuan/inpatient/dibao/ratio> a ma:Parameter ; ma:benefit b:inpatient ; ma:category cat:dibao ; ma:kind k:ratio ; ma:value 0.70 ;'
    text = rules.read_text(encoding="utf-8")
    assert line in text
    rules.write_text(text.replace(line, line.replace("0.70", "0.75")), encoding="utf-8")
    n = len(parses)
    changed = fresh_load(kb_dir)
    assert len(parses) > n
    assert Engine(kb=changed).evaluate(CASE)["claims"][0]["aid"] == "7500.00"


def test_an_entry_cut_short_is_read_again_and_replaced(cache, kb_dir, parses):
    fresh_load(kb_dir)
    (entry,) = (cache / "kb").glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:1000])
    n = len(parses)
    kb = fresh_load(kb_dir)
    assert len(parses) > n and len(kb.parameters) > 150
    n = len(parses)
    fresh_load(kb_dir)
    assert len(parses) == n


def test_an_entry_of_other_files_is_not_taken(cache, kb_dir, parses, monkeypatch):
    # a digest that collides (or an entry renamed by hand): the files it was read from are checked
    fresh_load(kb_dir)
    monkeypatch.setattr(kb_cache, "digest", lambda sources: "same-name-for-all")
    fresh_load(kb_dir)
    (kb_dir / "statistics.ttl").write_text((kb_dir / "statistics.ttl").read_text(encoding="utf-8") + "\n# edited\n",
                                           encoding="utf-8")
    n = len(parses)
    kb = fresh_load(kb_dir, validate=False)
    assert len(parses) > n and kb.sources["statistics.ttl"].endswith(b"# edited\n")


def test_the_newest_entries_are_kept(cache, kb_dir, monkeypatch):
    monkeypatch.setattr(kb_cache, "KEEP", 2)
    for k in range(4):
        with open(kb_dir / "statistics.ttl", "a", encoding="utf-8") as f:
            f.write(f"\n# version {k}\n")
        fresh_load(kb_dir, validate=False)
    assert len(list((cache / "kb").glob("*.pickle"))) == 2


def test_another_process_loads_the_kb_and_computes_the_same(cache, tmp_path):
    # the KB holds clingo symbols, handles into the symbol table of the process that made them:
    # pickled as their text (kb_cache._symbol), they are made again where the pickle is loaded
    import json
    import subprocess
    import sys
    env = {**os.environ, "MEDAID_CACHE_DIR": str(cache)}
    subprocess.run([sys.executable, "-c", "from medaid_logic.kb import load_kb; load_kb()"], env=env, check=True)
    assert len(list((cache / "kb").glob("*.pickle"))) == 1
    script = ("import json, sys\n"
              "from medaid_logic import kb\n"
              "kb.Graph.parse = None  # loaded, not parsed\n"
              "from medaid_logic.engine import Engine\n"
              "print(json.dumps(Engine(kb=kb.load_kb()).evaluate(json.loads(sys.argv[1]))))\n")
    run = subprocess.run([sys.executable, "-c", script, json.dumps(CASE)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == Engine(kb=KB(KB_DIR)).evaluate(CASE)

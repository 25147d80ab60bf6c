"""The atom schema (medaid_logic/atoms.py) and the programs agree: every #show of asp/show.lp is
declared with its arity and every shown declaration is shown; every #defined input of
asp/inputs.lp is declared with its arity; the result builder reads shown predicates only."""
from __future__ import annotations

import re
from pathlib import Path

from medaid_logic.atoms import INPUTS, SHOWN, Atoms, split_by_applicant
from medaid_logic.resources import asp_dir

ROOT = Path(__file__).resolve().parent.parent


def _declared(path: Path, directive: str) -> dict[str, int]:
    text = path.read_text(encoding="utf-8")
    return {m[0]: int(m[1]) for m in re.findall(rf"^{directive}\s+([a-z_][A-Za-z0-9_]*)/(\d+)\s*\.", text, re.M)}


def test_show_lp_and_schema_agree():
    shown = _declared(asp_dir() / "show.lp", "#show")
    assert shown, "no #show lines found"
    assert {n: p.arity for n, p in SHOWN.items()} == shown


def test_inputs_lp_and_schema_agree():
    defined = _declared(asp_dir() / "inputs.lp", "#defined")
    assert {n: p.arity for n, p in INPUTS.items()} == defined


def test_every_declaration_is_documented_and_fields_named_once():
    for p in [*SHOWN.values(), *INPUTS.values()]:
        assert p.doc.strip(), p.name
        assert len(set(p.fields)) == len(p.fields), p.name


def test_result_reads_only_shown_predicates():
    src = (ROOT / "medaid_logic" / "result.py").read_text(encoding="utf-8")
    read = set(re.findall(r'at\["([a-z_]+)"\]', src))
    assert read and read <= set(SHOWN), read - set(SHOWN)


def test_rows_are_named_and_print_as_tuples():
    import clingo
    syms = [clingo.parse_term('step(0,1,4,ordinary_aid,700,"shanxi/x",times(1000,7000))'),
            clingo.parse_term("extra(0,a)")]
    at: Atoms = split_by_applicant(syms)[0]
    (s,) = at["step"]
    assert (s.item, s.order, s.what, s.fen, s.parameter, s.formula) == (1, 4, "ordinary_aid", 700, "shanxi/x", ("times", 1000, 7000))
    assert str(s) == "(1, 4, 'ordinary_aid', 700, 'shanxi/x', ('times', 1000, 7000))"
    assert at["extra"] == [("a",)]


def test_an_extra_show_of_another_arity_stays_a_tuple():
    import clingo
    at = split_by_applicant([clingo.parse_term("step(0,x)")])[0]
    assert at["step"] == [("x",)] and type(at["step"][0]) is tuple


def _shows(text: str) -> dict[str, int]:
    text = re.sub(r"%.*$", "", re.sub(r"%\*.*?\*%", "", text, flags=re.S), flags=re.M)   # comments may name predicates
    return {m[0]: int(m[1]) for m in re.findall(r"#show\s+([a-z_][A-Za-z0-9_]*)/(\d+)\s*\.", text)}


def test_legal_shows_and_schema_agree():
    """Each program a legal session adds shows declared LEGAL atoms of the declared arity, and
    every LEGAL declaration is shown by one of them (none is also a show.lp atom)."""
    from medaid_logic.atoms import LEGAL
    from medaid_logic.legal.probe import probe_program
    from medaid_logic.legal.session import EXTRA_SHOW, LEGAL_PROGRAMS
    programs = {"EXTRA_SHOW": EXTRA_SHOW, "probe": probe_program([], {})[0]}
    programs.update({p.name: p.read_text(encoding="utf-8") for p in sorted((asp_dir() / "legal").glob("*.lp"))})
    assert set(LEGAL_PROGRAMS) <= set(programs)
    declared = {n: p.arity for n, p in LEGAL.items()}
    seen: dict[str, int] = {}
    for name, text in programs.items():
        shown = _shows(text)
        assert shown, name
        assert {n: declared.get(n) for n in shown} == shown, name
        seen.update(shown)
    assert seen == declared
    assert not set(LEGAL) & set(SHOWN)


def test_readers_outside_result_read_named_rows():
    """No reader unpacks a shown atom by position: every `atoms["x"]` / `at["x"]` read names a
    declared predicate, and none is unpacked in a for-target or indexed."""
    from medaid_logic.atoms import LEGAL
    declared = set(SHOWN) | set(LEGAL)
    files = [ROOT / "medaid_logic" / "letter.py", *sorted((ROOT / "medaid_logic" / "legal").glob("*.py")),
             *sorted((ROOT / "medaid_logic" / "web").glob("*.py"))]
    reads = 0
    for f in files:
        src = f.read_text(encoding="utf-8")
        for m in re.finditer(r'(?:\bat|atoms)\["([a-z_0-9]+)"\]', src):
            reads += 1
            assert m[1] in declared, (f.name, m[1])
        unpacked = re.findall(r'for\s+\(?[A-Za-z_]\w*\s*,[^:\n]*?\bin\s+(?:sorted\()?(?:s\.|new\.)?(?:at|atoms)\[', src)
        assert not unpacked, (f.name, unpacked)
        assert not re.search(r'(?:at|atoms)\["[a-z_]+"\]\s*\)?\s*\[\d', src), f.name
    assert reads > 20


def test_kb_export_writes_every_fact_in_its_declared_shape():
    """The KB export (kb.param_symbols) writes declared input predicates only, each with its
    declared arity, and no predicate of the schema's KB inputs is missing from it."""
    from medaid_logic.kb import load_kb
    syms = load_kb().param_symbols()
    shapes = {(s.name, len(s.arguments)) for s in syms}
    assert shapes <= {(n, p.arity) for n, p in INPUTS.items()}, shapes - {(n, p.arity) for n, p in INPUTS.items()}
    assert {"param", "param_value", "param_rule", "document", "stat", "interpretation", "derivation_test"} <= {n for n, _ in shapes}


def test_symbol_checks_the_arity():
    import clingo
    import pytest
    from medaid_logic.atoms import symbol
    assert str(symbol("rank", clingo.Function("dibao"), clingo.Number(1))) == "rank(dibao,1)"
    with pytest.raises(AssertionError):
        symbol("rank", clingo.Function("dibao"))


# the batch reader: read_shown must give split_by_applicant's rows, whatever the terms hold
_TRICKY = [
    'step(0,1,4,ordinary_aid,700,"shanxi/x",times(1000,7000))',
    'step(1,1,4,ordinary_aid,700,"shanxi/x",times(1000,7000))',          # the same atom, another applicant
    'step(0,q(chronic,dibao),1,self_pay,-5,none,minimum(times(1,2),3,4))',
    'note(0,reading("wuxi/三(三)"))', 'note(1,parent_rules(shanxi))', "note(0,x'y)", "note(0,_x)",
    r'flag(0,place,"p",place("a\"b\\c(d),e",none))', r'flag(1,about,none,"x\ny	z")',
    'category_out(0,dibao,none,20210101,99991231,treated(0,"wuhai/二(一)"))',
    'decision(0,premium,(paid,1),dibao,"p",(a,(1,"s")))',
    'uses(2,year,tilted_aid,step(annual_burden))', 'case(2,wuxi,2023)',
]


def _symbols(texts):
    import clingo
    return [clingo.parse_term(t) for t in texts]


def _same(fast, exact):
    assert fast.keys() == exact.keys()
    for a in exact:
        assert dict(fast[a].by) == dict(exact[a].by)
        for name, rows in exact[a].by.items():
            assert [(type(r), str(r)) for r in fast[a][name]] == [(type(r), str(r)) for r in rows]


def test_read_shown_reads_as_split_by_applicant(monkeypatch):
    from medaid_logic import atoms
    syms = _symbols(_TRICKY)
    exact = split_by_applicant(syms)
    for slow in ("split_by_applicant", "parse_term"):   # its own path, no fallback
        monkeypatch.setattr(atoms, slow, None)
    fast = atoms.read_shown(syms)
    monkeypatch.undo()
    _same(fast, exact)
    (f,) = fast[0]["flag"]
    assert f.detail == ("place", 'a"b\\c(d),e', "none")
    assert fast[1]["flag"][0].detail == "x\ny\tz"


def test_read_shown_falls_back_where_its_cut_or_json_cannot_read():
    cases = [
        ['note(0,reading("x),step(3,"))', 'case(0,wuxi,2023)'],        # a string that looks like an atom's start
        ['note(0,(a,))', 'case(0,wuxi,2023)'],                          # a 1-tuple: json cannot read it
        ['note(0,())', 'case(1,wuxi,2023)'],                            # the empty tuple
        ['case(0,wuxi,2023)'],                                          # one atom
        ['case(0,wuxi,2023)', 'extra(0,a)', 'step(0,x)'],               # another #show
    ]
    from medaid_logic.atoms import read_shown
    for texts in cases:
        syms = _symbols(texts)
        _same(read_shown(syms), split_by_applicant(syms))

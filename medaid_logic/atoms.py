"""The atom schema, and answer atoms as plain Python values.

Every predicate that crosses the boundary between the ASP programs and Python is declared here
once: its name, its fields (the applicant `a` first, where it has one) and a line of
documentation. INPUTS are written by the fact writer (facts.py) and the KB export (kb.py);
SHOWN are the atoms of asp/show.lp the result builder reads; LEGAL the atoms a legal session
shows beyond them (tests/test_atom_schema.py checks all three against the programs). Readers get each atom as a named row (`step.fen`, `step.formula`),
never unpacked by position. Predicates used inside one .lp file only are the programs' own
business and are documented there; see asp/README.md for the naming convention.

Terms become: int; str (constants and strings alike); tuple (name, *arguments) for functions.
A model is turned into text by clingo in one call and parsed here: measured faster than
walking clingo.Symbol objects, whose every field access crosses the C boundary, and twice as
fast as one text per symbol. The batch path (read_shown) parses each distinct atom once (most
recur across applicants: the same inputs, notes, flags), through json's C parser.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict, namedtuple
from dataclasses import dataclass

import clingo


@dataclass(frozen=True)
class Predicate:
    name: str
    fields: tuple[str, ...]
    doc: str

    @property
    def arity(self) -> int:
        return len(self.fields)


def _declare(*specs: tuple[str, str, str]) -> dict[str, Predicate]:
    return {name: Predicate(name, tuple(fields.split()), doc) for name, fields, doc in specs}


# ---- inputs: policy facts (the KB export) and case facts (facts.py) ------------------------------
# money in fen, ratios in basis points (70% = 7000), dates as YYYYMMDD integers
INPUTS = _declare(
    ("param", "id jurisdiction benefit key valid_from valid_to", "a KB parameter applies to (jurisdiction, benefit, key) between the dates"),
    ("param_value", "id kind value", "its figure: fen, basis points, 1 (flag), a code, or none"),
    ("param_rule", "id rule", "the rule id jurisdiction/locator[#part] that states it"),
    ("param_status", "id status", "vague | delegated | silent (absent: stated)"),
    ("param_requires", "id condition", "a condition the parameter requires of a claim or person"),
    ("param_requires_any", "id group condition", "one condition of the group must hold"),
    ("param_fund", "id fund", "who pays a premium subsidy"),
    ("param_exception", "id base_id", "id is an exception to base_id: where both apply, id wins"),
    ("param_reading", "id interpretation", "the KB reads the parameter through this interpretation"),
    ("param_borrowed", "id rule", "the text is silent; the rule's clause is applied by analogy"),
    ("document", "jurisdiction valid_from valid_to", "the jurisdiction's document is in force"),
    ("parent", "jurisdiction parent", "the parent's rules govern before the document is in force"),
    ("treated_as", "category as_category rule", "a category aided as another"),
    ("rank", "category n", "the category table's order; breaks ties"),
    ("stat_use", "jurisdiction statistic place year_offset rule", "which place's statistic of which year a text names"),
    ("stat", "place statistic year fen", "a statistic held in the KB"),
    ("ytd_pool", "key pool", "the applicant.year_to_date field a cap pool starts from (kb/case_fields.ttl)"),
    ("derivation", "category kind", "a category derived from facts where a jurisdiction states a parameter of the kind (kb/case_fields.ttl)"),
    ("derivation_fact", "category fact", "a fact whose presence asks for the derivation"),
    ("derivation_test", "category test order form", "a test of the derivation, in order; eligibility.lp reads the form"),
    ("interpretation", "id value", "the reading in force (KB default or the caller's)"),
    ("case", "a jurisdiction year", "applicant a is evaluated under the jurisdiction for the year"),
    ("identity", "a i category subtype since until", "a certified identity; until 99991231 when still held"),
    ("birth", "a date", "applicant.birth_date"),
    ("hukou", "a place district", "applicant.hukou"),
    ("residence", "a place district since", "applicant.residence"),
    ("insured_in", "a place", "applicant.insured_in"),
    ("fact", "a name value", "applicant.facts, one atom per list item"),
    ("year_to_date", "a shared_cap_used general_outpatient_cap_used deductible_met personal_burden", "applicant.year_to_date in fen (asp/inputs.lp reads it as ytd/3)"),
    ("statistic_given", "a statistic fen", "a statistic the caller supplied"),
    ("claim", "a k seq kind date", "claim k (its input index), seq its place in settlement order"),
    ("admitted", "a k date", "an inpatient claim's admission date"),
    ("claim_costs", "a k total in_policy basic critical other", "the claim's five sums in fen (asp/inputs.lp reads them as cost/4)"),
    ("claim_is", "a k property", "in_province | referred | relocated, when true"),
    ("local", "a k level", "the claim's care was local: city | county"),
    ("hospital_class", "a k hospital_class", "claims[].hospital_class"),
    ("chronic_management", "a k mode", "per_visit | quota"),
    ("disease", "a k disease", "claims[].disease"),
)

# ---- shown: asp/show.lp, what the result is built from ------------------------------------------
# item: a claim index, q(Context,Category) (a year-end quota item), year or premium;
# parameter: a KB parameter id or none
SHOWN = _declare(
    ("case", "a jurisdiction year", "the case evaluated"),
    ("category_out", "a category subtype since until source", "a category held: certified(I) | derived | treated(I,Rule)"),
    ("applied_category", "a category", "the category take-the-highest applied to the year"),
    ("app_pays", "a item category", "the applied year pays the item under the category"),
    ("app_aid", "a item fen", "the applied year's aid on the item"),
    ("alternative", "a item category fen", "what another category would have paid on the item"),
    ("alternative_rule", "a item category parameter", "the ratio clause of that alternative"),
    ("pays_rule", "a item category parameter", "the ratio clause the item was paid by"),
    ("step", "a item order what fen parameter formula", "one computed figure of the item, in order"),
    ("uses", "a item what input", "what a step used: field(F) | param(Id) | statistic(S) | ytd(Key) | step(What)"),
    ("limited", "a item why detail", "what cut the item's aid"),
    ("reason", "a item why detail", "why a claim got nothing"),
    ("quota_claim", "a claim", "a quota-managed chronic claim, settled at year end"),
    ("quota_included", "a item claim", "the quota claim is settled in the applied year's year-end item"),
    ("quota_settlement", "a item category parameter", "the applied year's year-end item, paid under the category"),
    ("tilted_claim", "a claim", "a claim counted in the tilted aid on the year's burden"),
    ("annual", "a kind fen parameter", "an amount of the year: tilted_aid | chronic_quota_settlement"),
    ("premium", "a category parameter fen formula", "the premium subsidy paid"),
    ("premium_status", "a status detail", "computed | delegated | undetermined | none, detail c(Category,Id) or none"),
    ("prem_floor", "a category parameter fen", "the floor of a government-set premium subsidy"),
    ("tilt", "a category kind value parameter", "the critical-illness insurance tilt, one atom per term"),
    ("flag", "a kind parameter detail", "a flag of the result"),
    ("note", "a detail", "a reading, silence or parent rule the result relied on"),
    ("decision", "a item kind category parameter facts", "the step that decided an outcome (asp/decisions.lp)"),
    ("statistic", "a statistic fen", "a statistic used: the caller's, else the KB's"),
    ("statistic_source", "a statistic source", "caller | kb(Place,Year)"),
    ("monitoring_burden", "a fen", "the year's burden compared with the monitoring thresholds"),
    ("tilted_burden", "a fen", "the year's burden the tilted aid is computed on"),
    ("error", "a what parameter", "statistic(S) missing, conflict(...) between parameters, or unsettled(X,K): an engine defect"),
    ("lead_category", "a category", "the category the year is led by"),
    ("precedence_rule", "a parameter", "the clause that says take the highest"),
    ("year_total", "a category fen", "a competing category's year total"),
    ("year_tilted", "a category fen", "the tilted aid in that year total"),
    ("tied", "a category fen", "a category tied with the applied one"),
    ("premium_alternative", "a category fen parameter", "another category's premium subsidy"),
    ("premium_precedence_rule", "a parameter", "the clause that says take the highest for the premium"),
    ("tilt_undetermined", "a category parameter", "the tilt depends on an age the case does not give"),
)

# ---- on demand: what a legal session shows beyond show.lp ----------------------------------------
# (EXTRA_SHOW of legal/session.py, asp/legal/*.lp, the probe rules of legal/probe.py)
LEGAL = _declare(
    ("cand", "a item category parameter", "a ratio parameter the claim is a candidate for under the category"),
    ("cand_fails", "a item category parameter", "a condition of that parameter fails for the claim"),
    ("claim_param", "a item category kind value parameter", "the parameter of the kind that applies to the claim under the category"),
    ("covers", "a item category", "a category held covers the claim's dates"),
    ("eligible", "a item category", "the category may pay the item"),
    ("key", "a jurisdiction category key", "the parameter key the category is looked up by in the jurisdiction"),
    ("excluded", "a item why parameter", "the claim is excluded by the parameter's clause"),
    ("rules_for", "a item jurisdiction", "the jurisdiction whose rules govern the claim"),
    ("holds", "a source category subtype since until", "a category the person holds since <= d < until"),
    ("cond_ok", "a item condition", "a condition a parameter may require holds of the claim"),
    ("claim_everyone", "a item kind value parameter", "a parameter for everyone that applies to the claim"),
    ("prem_cand0", "a category parameter", "a premium rule of the category in force in the year, before its age tests"),
    ("prem_fails", "a category parameter", "an age test of that premium rule fails"),
    ("year_rules", "a jurisdiction", "the jurisdiction whose rules govern the year"),
    ("item_pool", "a item pool", "the cap pool the item draws on"),
    ("item", "a item seq", "an item of the year, seq its place in settlement order"),
    ("app_ord", "a item fen", "the applied year's ordinary aid on the item (asp/legal/app_figures.lp)"),
    ("app_top", "a item fen", "the applied year's top-up on the item (asp/legal/app_figures.lp)"),
    ("app_catalogue_aid", "a item fen", "the applied year's catalogue-cost aid on the item (asp/legal/app_figures.lp)"),
    ("cap_used_by", "a item by fen", "what used the item's cap before it: an earlier item, or ytd (asp/legal/cap_used_by.lp)"),
    ("wn_claim_rule", "a item what parameter", "a parameter why-not asks about for step what of the claim (asp/legal/whynot_candidates.lp)"),
    ("wn_premium_rule", "a parameter", "a premium rule of the case's jurisdiction why-not asks about"),
    ("wn_derivation_rule", "a category parameter", "a parameter by which the case's jurisdiction states the category's derivation"),
    ("wn_step", "a what", "a step why-not answers by its rules"),
    ("change", "a change", "a change of the facts that yields the goal (asp/legal/minimal_change.lp)"),
    ("mc_clause", "a change parameter", "the parameter whose clause the change answers to"),
    ("mc_cost", "a n", "how many changes"),
    ("wn", "a goal rule reached bindings", "the probe rule's body prefix of length reached held, with the bindings (legal/probe.py)"),
)

# a row per shown predicate, the applicant left out (an Atoms object is one applicant's)
# (printed as the plain tuple it is, so that sorting by str and every text made of it stay as they were)
# (keyed by name and arity: a caller's extra #show of another arity stays a plain tuple)
ROWS = {(p.name, p.arity): type(p.name, (namedtuple(p.name, p.fields[1:]),), {"__slots__": (), "__repr__": tuple.__repr__})
        for p in [*SHOWN.values(), *LEGAL.values()]}
_EMPTY: list = []
_new = tuple.__new__  # a row from its fields (the arity is the key's), without namedtuple._make's overhead


_INPUT_ARITY = {n: p.arity for n, p in INPUTS.items()}


def atom(name: str, *args) -> str:
    """One input fact as program text; the arguments already written as terms."""
    assert len(args) == _INPUT_ARITY[name], (name, args)
    return f"{name}({','.join(map(str, args))})."


def symbol(name: str, *args: clingo.Symbol) -> clingo.Symbol:
    """One input fact as a clingo symbol: atom()'s twin for the KB export, which builds terms."""
    assert len(args) == INPUTS[name].arity, (name, args)
    return clingo.Function(name, list(args))


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)  # clingo writes \\ \" and \n in strings
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+|[A-Za-z_][A-Za-z0-9_\']*|[(),]')


def parse_term(text: str, _findall=_TOKEN.findall):
    """One term; a loop over tokens with an explicit stack (measured 1.5x the recursive parser)."""
    stack: list = []
    cur = None          # the argument list being filled, its name first
    pending = None      # the last complete term, not yet placed
    for t in _findall(text):
        c = t[0]
        if c == "(":
            stack.append(cur)
            cur = [pending if pending is not None else ""]  # "" names a tuple term
            pending = None
        elif c == ")":
            if pending is not None:
                cur.append(pending)
            pending = tuple(cur)
            cur = stack.pop()
            if cur is None and not stack:
                return pending
        elif c == ",":
            if pending is not None:
                cur.append(pending)
                pending = None
        elif c == '"':
            pending = _ESCAPE.sub(_unescape, t[1:-1]) if "\\" in t else t[1:-1]
        elif c == "-" or c.isdigit():
            pending = int(t)
        else:
            pending = t
    return pending


def _unescape(m) -> str:
    return "\n" if m[1] == "n" else m[1]


class Atoms:
    """One applicant's atoms, by predicate name: a list of rows (applicant dropped); a shown
    predicate's rows are named by its fields, any other's (a caller's extra #show) are tuples."""

    def __init__(self):
        self.by: dict[str, list[tuple]] = defaultdict(list)

    def add(self, atom: tuple) -> None:
        row = ROWS.get((atom[0], len(atom) - 1))
        self.by[atom[0]].append(_new(row, atom[2:]) if row is not None else atom[2:])

    def __getitem__(self, name: str) -> list[tuple]:
        return self.by.get(name, _EMPTY)


def split_by_applicant(symbols) -> dict[int, Atoms]:
    """A model's shown symbols, each with its applicant first, → each applicant's atoms."""
    out: dict[int, Atoms] = defaultdict(Atoms)
    terms = parse_term(str(clingo.Tuple_(list(symbols))))   # ("", atom, atom, ...)
    for atom in terms[1:]:
        out[atom[1]].add(atom)
    return out


# ---- the batch path: show.lp's atoms, each distinct one parsed once -----------------------------
# Each atom of the model's text is cut out by its predicate's name and applicant (`),step(12,`);
# the rest, the same for many applicants, keys a table of rows parsed in one json call.
_SHOWN_ATOM = re.compile(r"\),((?:" + "|".join(sorted(SHOWN, key=len, reverse=True)) + r")\()(\d+),")


def read_shown(symbols) -> dict[int, Atoms]:
    """split_by_applicant for a model that shows show.lp's atoms only (every one with the
    applicant first): the same rows, several times faster. Anything else — another #show, a
    string that looks like an atom's start — is read by split_by_applicant."""
    if len(symbols) < 2:  # a 1-tuple prints with a trailing comma
        return split_by_applicant(symbols)
    text = str(clingo.Tuple_(list(symbols)))   # one call to clingo for the whole model
    cut = _SHOWN_ATOM.split("),"  + text[1:-2])   # "", name(, a, args, name(, a, args, ...
    if len(cut) != 3 * len(symbols) + 1:
        return split_by_applicant(symbols)
    keys = list(map(str.__add__, cut[1::3], cut[3::3]))   # "step(" + "1,4,...,times(1,2)"
    distinct = list(dict.fromkeys(keys))
    try:
        terms = _json_terms(f"({'),'.join(distinct)}))")
    except ValueError:  # text json's reading does not cover (e.g. a 1-tuple): the exact parser
        terms = parse_term(f"({'),'.join(distinct)}))")
    rows = {}
    for key, t in zip(distinct, terms[1:]):
        row = ROWS.get((t[0], len(t)))
        rows[key] = _new(row, t[1:]) if row is not None else t[1:]
    by_applicant: dict = defaultdict(lambda: defaultdict(list))   # a → "name(" → rows
    for name, a, row in zip(cut[1::3], cut[2::3], map(rows.__getitem__, keys)):
        by_applicant[a][name].append(row)
    out = {}
    for a, by in by_applicant.items():
        at = out[int(a)] = Atoms()
        at.by.update({name[:-1]: rows for name, rows in by.items()})
    return out


_STRING = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")')
_NAME = re.compile(r"([a-z_][\w']*+)([(,)])", re.ASCII)   # an identifier and the character after it


def _json_terms(text: str):
    """parse_term's reading of a term's text, through json: a function or tuple becomes an object
    {"": [name, *arguments]} that the hook turns into the tuple, a constant a string (strings keep
    their quotes: clingo's three escapes are json's). Text json cannot read raises ValueError."""
    parts = _STRING.split(text)                  # strings at the odd places, left as they are
    code = "\0".join(parts[0::2])                # clingo strings hold no NUL (facts.q)
    cut = _NAME.split(code)                      # text, identifier, "(" "," or ")", text, ...
    after = "\1".join(cut[2::3])
    out = [""] * (len(cut) + len(cut) // 3)
    out[0::4] = cut[0::3]
    out[1::4] = after.replace(",", "").replace(")", "").replace("(", '{"":[').split("\1")  # a function opens
    out[2::4] = ('"' + '"\1"'.join(cut[1::3]) + '"').split("\1")
    out[3::4] = after.replace("(", ",").split("\1")
    code = "".join(out).replace("(", '{"":["",').replace(")", "]}")   # what is left of "(": tuples
    parts[0::2] = code.split("\0")
    return json.loads("".join(parts), strict=False, object_hook=_tuple_of)


def _tuple_of(obj: dict) -> tuple:
    return tuple(obj[""])

"""The workbench's words for the templates, in one language: every word comes from the one
catalogue (medaid_logic/words.py) the CLI's answers and the audit report use, the page chrome
under ui.*."""
from __future__ import annotations

from ..audit.findings import Builder as _AuditWords
from ..audit.render import kind_name
from ..legal import i18n
from ..words import listed, word, word_of


class Words:
    """The words of one language, for the templates (`w.t('total')`, `w.cat('dibao')`...)."""

    def __init__(self, kb, lang: str):
        self.kb, self.lang = kb, lang
        self.zh = lang == "zh"
        self._audit = _AuditWords(kb, None, None)   # the audit report's word methods, on this KB (no search)

    def t(self, key: str) -> str:
        """A word of the pages (the catalogue's ui.KEY; a field name without one reads as itself)."""
        return word_of("ui", key, self.lang)

    def code(self, family: str, v) -> str:
        return word_of(family, v, self.lang)

    def cat(self, cid) -> str:
        if cid is None:
            return self.t("none")
        return self._audit.label(cid, self.lang)

    def cats(self, cids) -> str:
        return listed((self.cat(c) for c in cids), self.lang)

    def benefits(self, bs) -> str:
        return listed((self.benefit(b) for b in bs), self.lang)

    def jur(self, j) -> str:
        return self._audit.jur(j, self.lang)

    def benefit(self, b) -> str:
        return self._audit.benefit(b, self.lang)

    def value(self, pid) -> str:
        return self._audit.value(pid, self.lang) if pid in self.kb.parameters else str(pid)

    def claim_kind(self, k) -> str:
        return word_of("claim_kind", k, self.lang)

    def step(self, what) -> str:
        return i18n.w(what, self.lang)

    def limit(self, code) -> str:
        return word_of("limit", code, self.lang)

    def flag(self, kind) -> str:
        return word_of("flag_kind", kind, self.lang)

    def status(self, st) -> str:
        return i18n.status_word(st, self.lang)

    def source(self, src) -> str:
        return i18n.source_word(src, self.lang)

    def reason(self, claim: dict) -> str | None:
        return i18n.claim_reason(self.kb, claim, self.lang)

    def audit_kind(self, k) -> str:
        return kind_name(k, self.lang)

    def severity(self, s) -> str:
        return word_of("severity", s, self.lang)

    def coverage_status(self, s) -> str:
        return word_of("coverage_status", s, self.lang)

    def why_word(self, code) -> str:
        return i18n.why_word(code, self.lang)

    def local(self, v) -> str:
        return self.code("local", v)

    def hospital(self, v) -> str:
        return self.code("hospital", v)

    def chronic(self, v) -> str:
        return self.code("chronic", v)

    def disease(self, v) -> str:
        return self.code("disease", v)

    def unit(self, u) -> str:
        return self.code("unit", u)

    def clause(self, rule) -> dict:
        """{document, clause (the locator), text} of a rule id: what a reader sees of a rule."""
        return self.kb.clause_source(rule) if rule else {"document": None, "clause": None, "text": None}

    def locator(self, rule) -> str:
        if not rule:
            return ""
        src = self.kb.clause_source(rule)
        return src["clause"] or ""

    def note(self, text: str) -> str:
        """An engine note as a reader reads it: a rule id becomes its clause locator, an
        interpretation id its name, a category id its label."""
        import re
        js = "|".join(map(re.escape, self.kb.jurisdictions))
        text = re.sub(rf"(?<![\w/])(?:{js})/[^\s：:，,；;()（）]+(?:\([^)]*\))*(?:#\w+)?",
                      lambda m: self.locator(m.group(0)) or m.group(0), text)
        text = re.sub(r"^(?:解释口径|interpretation) ([a-z_]+)[：:]\s*",
                      lambda m: "" if m.group(1) in self.kb.interpretations else m.group(0), text)
        cats = "|".join(sorted(map(re.escape, self.kb.categories), key=len, reverse=True))
        text = re.sub(rf"(?<![\w/.])({cats})(?![\w/])", lambda m: self.cat(m.group(1)), text)
        return re.sub(r"([^\s(（]+)[(（]\1[)）]", r"\1", text)   # "低保对象(dibao)" said once

    def explanation(self, text) -> str:
        """A why-not explanation without solver atoms: an atom left in it is said in words."""
        import re
        text = self.note(str(text or ""))
        if re.search(r"[a-z_]+\([^)]*[A-Z_0-9,][^)]*\)", text):
            return self.t("condition_failed")
        return text

    def target(self, target: str) -> str:
        """A target name (claim:c1.step:top_up) as words: 费用 c1 · 兜底救助至目标比例."""
        return i18n.target_words(self.kb, target, self.lang)

"""The workbench's words in Chinese and English: the page chrome lives here; every word about the
policy (categories, claim kinds, steps, limits, flags, statuses, reasons, audit kinds, places,
benefits, parameter values) comes from the catalogues the CLI's answers use."""
from __future__ import annotations

from types import SimpleNamespace

from ..audit.findings import Builder as _AuditWords
from ..audit.render import HEAD as AUDIT_HEAD, kind_name
from ..legal import i18n
from ..render import REASONS_ZH, WORDS as RESULT_WORDS

UI = {
    "title": ("医疗救助工作台", "Medical-aid workbench"),
    "nav_case": ("案件", "Case"), "nav_audit": ("政策审查", "Audit"), "nav_law": ("政策文件", "Law"),
    "other_lang": ("English", "中文"),
    "new_case": ("录入申请人", "Enter an applicant"),
    "jurisdiction": ("地区", "Jurisdiction"), "year": ("年度", "Year"), "case_id": ("案件编号", "Case id"),
    "change_jurisdiction": ("按所选地区显示字段", "Show this jurisdiction's fields"),
    "applicant": ("申请人", "Applicant"), "identities": ("救助对象身份", "Identities"),
    "category": ("类别", "Category"), "subtype": ("子类", "Subtype"), "since": ("起始日期", "Since"),
    "until": ("退出日期", "Until"), "add_identity": ("增加身份", "Add identity"), "remove": ("删除", "Remove"),
    "birth_date": ("出生日期", "Birth date"), "hukou": ("户籍地", "Hukou"), "residence": ("居住地", "Residence"),
    "residence_since": ("居住起始", "Resident since"), "insured_in": ("参保地", "Insured in"),
    "facts": ("家庭与残疾情况（本地区规则所读）", "Household and disability facts (read by this jurisdiction's rules)"),
    "household_income_per_capita": ("家庭人均收入（元）", "Household income per capita (yuan)"),
    "household_medical_burden_per_capita": ("家庭人均医疗负担（元）", "Household medical burden per capita (yuan)"),
    "household_assets_within_limits": ("家庭财产符合规定", "Household assets within limits"),
    "disability_certificate_grade": ("残疾证等级", "Disability certificate grade"),
    "disability_types": ("残疾类别", "Disability types"), "employed": ("就业", "Employed"),
    "statistics": ("统计数据（本地区规则所读）", "Statistics (read by this jurisdiction's rules)"),
    "income_base": ("上年居民人均可支配收入（元）", "Last year's disposable income per capita (yuan)"),
    "rural_income_base": ("上年农村居民人均可支配收入（元）", "Last year's rural disposable income per capita (yuan)"),
    "dibao_standard": ("低保标准（元）", "Minimum-living standard (yuan)"),
    "contribution": ("居民医保个人缴费标准（元）", "Individual premium contribution (yuan)"),
    "ytd": ("年初至今（本系统之外已结算）", "Year to date (settled outside this case)"),
    "shared_cap_used": ("已用共用限额", "Shared cap used"),
    "general_outpatient_cap_used": ("已用普通门诊限额", "General-outpatient cap used"),
    "deductible_met": ("已扣起付标准", "Deductible met"), "personal_burden": ("已有个人负担", "Personal burden"),
    "claims": ("费用（按次）", "Bills"), "add_claim": ("增加费用", "Add bill"),
    "claim_id": ("编号", "Id"), "kind": ("类型", "Kind"), "admitted": ("入院", "Admitted"),
    "discharged": ("出院", "Discharged"), "date": ("就诊日期", "Date"), "in_province": ("省内就医", "In province"),
    "local": ("本地层级", "Local level"), "referred": ("按规定转诊", "Referred"), "relocated": ("异地安置", "Relocated"),
    "hospital_class": ("医疗机构级别", "Hospital class"), "total_cost": ("总费用", "Total cost"),
    "in_policy_cost": ("政策范围内费用", "In-policy cost"), "basic_insurance_paid": ("基本医保支付", "Basic insurance paid"),
    "critical_illness_paid": ("大病保险支付", "Critical-illness insurance paid"), "other_paid": ("其他支付", "Other payers"),
    "chronic_management": ("慢特病管理方式", "Chronic management"), "disease": ("罕见病病种", "Disease"),
    "parameters_extra": ("其他参数覆盖（JSON）", "Other parameter overrides (JSON)"),
    "evaluate": ("计算", "Evaluate"), "yes": ("是", "yes"), "no": ("否", "no"), "unset": ("—", "—"),
    "or_paste": ("或粘贴 / 上传案件 JSON", "Or paste / upload a case JSON"), "upload": ("上传文件", "Upload a file"),
    "open_json": ("打开", "Open"), "examples": ("示例", "Examples"),
    "result": ("计算结果", "Result"), "total": ("救助合计", "Total aid"), "yuan": ("元", "yuan"),
    "edit": ("修改案件", "Edit the case"), "letter": ("决定书", "Decision letter"),
    "download_case": ("下载案件 JSON", "Download the case JSON"), "record": ("下载 PROV-O 决定记录", "Download the PROV-O record"),
    "why": ("为什么", "why"), "why_not": ("为什么不", "why not"), "minimal": ("同时求最小改变", "with the minimal change"),
    "ask": ("提问", "Ask"), "target": ("问题", "Question"),
    "categories_held": ("所持身份", "Categories held"), "applied": ("适用类别（就高不就低）", "Applied category (take the highest)"),
    "precedence": ("就高不就低比较", "Take-the-highest comparison"), "year_total": ("全年合计", "Year total"),
    "premium": ("参保资助", "Premium subsidy"), "bill": ("费用", "Bill"), "aid": ("救助", "Aid"),
    "applied_category": ("适用类别", "Category applied"), "clause": ("条款", "Clause"), "clause_text": ("条文", "Text"),
    "step": ("计算步骤", "Step"), "formula": ("算式", "Formula"), "amount": ("金额", "Amount"),
    "limited_by": ("受限于", "Limited by"), "alternatives": ("其他身份可得", "Other categories would pay"),
    "reason": ("原因", "Reason"), "annual": ("年度计算", "Computed on the year"), "flags": ("提示", "Flags"),
    "readings": ("本决定采用的解释", "Readings the engine took"), "warnings": ("需要注意", "Warnings"),
    "needed": ("尚待确定", "Still needed"), "tilt": ("大病保险倾斜支付", "Critical-illness insurance tilt"),
    "money_where": ("费用由谁负担", "Where the money came from"), "cap_use": ("年度限额使用", "Annual cap used across the year"),
    "basic": ("基本医保", "basic insurance"), "critical": ("大病保险", "critical-illness insurance"),
    "other": ("其他支付", "other payers"), "medical_aid": ("医疗救助", "medical aid"),
    "left": ("个人负担", "left to the person"), "out_of_policy": ("其中目录外", "of which out of catalogue"),
    "cap": ("限额", "cap"), "used_before": ("此前已用", "used before"), "this_bill": ("本次", "this bill"),
    "remaining": ("剩余", "remaining"), "condition_failed": ("本条适用条件未满足", "a condition of this clause is not met"),
    "would_pay": ("若如此将支付", "would have paid"), "year_total_if": ("全年合计", "year total"),
    "still_chosen": ("就高不就低仍选择", "take the highest would still choose"), "minimal_change": ("最小改变", "minimal change"),
    "no_change_needed": ("无需改变：已有可适用的类别，金额受限的原因见上文", "none needed: a category already applies; what limits the amount is said above"),
    "not_found": ("未找到", "none found"), "used_by_bills": ("已被此前费用用去：", "used by the earlier bills"),
    "whatif": ("如果……（修改后重新计算）", "What if… (change and re-evaluate)"),
    "whatif_help": ("修改任意日期、费用或参数，显示所有变化的金额及其原因。",
                    "Change any date, cost or parameter: every amount that changed, with the clause or parameter that made the difference."),
    "param_change": ("参数（编号=值，每行一个）", "Parameters (id=value, one a line)"),
    "more_changes": ("其他改变（每行一个，语法同 medaid what-if --set）", "Other changes (one a line, as medaid what-if --set)"),
    "recompute": ("重新计算", "Re-evaluate"), "before": ("原", "before"), "after": ("现", "after"),
    "made_difference": ("起作用的依据", "What made the difference"), "nothing_changed": ("无变化", "Nothing changed"),
    "back": ("返回结果", "Back to the result"), "tree": ("推导过程", "Derivation"),
    "clauses_used": ("所依据的条款", "Clauses relied on"),
    "letter_title": ("医疗救助审核决定书", "Medical assistance decision"), "print": ("打印", "Print"),
    "granted": ("给予救助", "granted"), "refused": ("不予救助", "refused"), "decides": ("决定所依据的原文", "The sentence that decides"),
    "audit_title": ("政策一致性审查", "Policy consistency audit"), "filter": ("筛选", "Filter"), "all": ("全部", "all"),
    "severity": ("严重程度", "Severity"), "finding_kind": ("类型", "Kind"), "witness": ("见证案例", "Witness"),
    "open_case": ("在案件页打开", "Open in the Case page"), "coverage": ("覆盖矩阵", "Coverage matrix"),
    "city": ("市", "city"), "province": ("省", "province"), "findings": ("发现", "findings"),
    "audit_wait": ("首次计算审查约需半分钟，之后缓存。", "The audit takes about half a minute the first time; it is cached after."),
    "law_title": ("政策文件与条款", "Documents and clauses"), "search": ("搜索（条款编号或词语）", "Search (locator or words)"),
    "document": ("文件", "Document"), "number": ("文号", "Number"), "issuer": ("发文机关", "Issuer"),
    "effective": ("施行", "In force"), "parameters": ("本条规定的参数", "Parameters this clause states"),
    "value": ("值", "Value"), "status": ("状态", "Status"), "unit": ("单位", "Unit"), "period": ("有效期", "Period"),
    "benefit": ("待遇", "Benefit"), "used_by": ("使用它的规则", "Rules that use it"), "cited_by": ("引用本条的审查发现", "Audit findings citing it"),
    "no_match": ("没有匹配的条款", "No clause matches"), "error": ("输入有误", "Bad input"), "field": ("字段", "Field"),
    "expired": ("此案件已不在内存中，请重新提交。", "This case is no longer held in memory; submit it again."),
    "none": ("无", "none"), "not_given": ("未提供", "not given"), "analogy": ("类推适用", "by analogy with"),
    "tilt_ratio": ("报销比例", "ratio"), "tilt_deductible": ("起付线 ×", "deductible ×"), "tilt_cap": ("封顶线", "cap"),
    "no_cap": ("取消封顶线", "no cap"), "ordinary_cap": ("按大病保险现行封顶线", "the usual cap"),
}

UNITS = {"ratio": ("比例", "ratio"), "yuan": ("元", "yuan"), "flag": ("是否", "yes/no"), "factor": ("倍数", "factor"),
         "times": ("倍", "times"), "days": ("天", "days")}
DISABILITY = {"limb": ("肢体", "limb"), "intellectual": ("智力", "intellectual"), "mental": ("精神", "mental"),
              "visual": ("视力", "visual"), "hearing": ("听力", "hearing"), "speech": ("言语", "speech")}
HOSPITAL = {"provincial_1": ("省内一类", "provincial class 1"), "municipal_2": ("省市级二类", "provincial/municipal class 2"),
            "county_2": ("县级二类", "county class 2"), "county_3": ("县级三类", "county class 3"),
            "level_2": ("二级", "level 2"), "level_3": ("三级", "level 3")}
LOCAL = {"county": ("县域内", "in the county"), "city": ("市域内", "in the city")}
CHRONIC = {"per_visit": ("按次", "per visit"), "quota": ("限额管理", "quota")}
DISEASE = {"gaucher": ("戈谢病", "Gaucher disease"), "pompe": ("庞贝病", "Pompe disease"), "pku": ("苯丙酮尿症", "phenylketonuria")}
CLAIM_KINDS_EN = {"inpatient": "inpatient", "outpatient_chronic": "chronic/special outpatient",
                  "outpatient_special_drug": "special-drug outpatient", "outpatient_general": "general outpatient",
                  "rare_disease": "rare disease"}
LIMITS_EN = {"deductible": "deductible", "annual_cap": "annual cap", "identity_ended": "identity ended",
             "identity_not_yet_held": "identity not yet held", "not_referred": "not referred",
             "not_in_force": "no document in force", "delegated": "standard delegated", "quota_year_end": "year-end quota settlement",
             "precondition": "precondition not met"}
FLAGS_EN = {"monitoring": "poverty-risk monitoring", "direct_aid": "direct aid", "on_application": "aid on application",
            "one_stop_settlement": "one-stop settlement", "no_deposit": "no inpatient deposit",
            "hospital_bears_excess": "the hospital bears the excess", "catalogue_target_exceeded": "out-of-catalogue target exceeded",
            "apply_at": "where to apply", "delegated": "delegated standard", "vague": "vague wording", "not_in_force": "not in force"}


class Words:
    """The words of one language, for the templates (`w.t('total')`, `w.cat('dibao')`...)."""

    def __init__(self, kb, lang: str):
        self.kb, self.lang = kb, lang
        self.zh = lang == "zh"
        self._kbw = SimpleNamespace(kb=kb)

    def _pick(self, pair):
        return pair[0] if self.zh else pair[1]

    def t(self, key: str) -> str:
        return self._pick(UI[key]) if key in UI else key

    def code(self, table: dict, v) -> str:
        return self._pick(table[v]) if v in table else ("" if v is None else str(v))

    def cat(self, cid) -> str:
        if cid is None:
            return self.t("none")
        return _AuditWords.label(self._kbw, cid, self.lang)

    def cats(self, cids) -> str:
        return ("、" if self.zh else ", ").join(self.cat(c) for c in cids)

    def benefits(self, bs) -> str:
        return ("、" if self.zh else ", ").join(self.benefit(b) for b in bs)

    def jur(self, j) -> str:
        return _AuditWords.jur(self._kbw, j, self.lang)

    def benefit(self, b) -> str:
        return _AuditWords.benefit(self._kbw, b, self.lang)

    def value(self, pid) -> str:
        return _AuditWords.value(self._kbw, pid, self.lang) if pid in self.kb.parameters else str(pid)

    def claim_kind(self, k) -> str:
        return RESULT_WORDS["zh"]["claim_kinds"].get(k, k) if self.zh else CLAIM_KINDS_EN.get(k, k)

    def step(self, what) -> str:
        return i18n.w(what, self.lang)

    def limit(self, code) -> str:
        return RESULT_WORDS["zh"]["limits"].get(code, code) if self.zh else LIMITS_EN.get(code, code)

    def flag(self, kind) -> str:
        return RESULT_WORDS["zh"]["kinds"].get(kind, kind) if self.zh else FLAGS_EN.get(kind, kind)

    def status(self, st) -> str:
        return i18n.status_word(st, self.lang)

    def source(self, src) -> str:
        return i18n.source_word(src, self.lang)

    def reason(self, claim: dict) -> str | None:
        return i18n.claim_reason(self.kb, claim, self.lang)

    def audit_kind(self, k) -> str:
        return kind_name(k, self.lang)

    def severity(self, s) -> str:
        return AUDIT_HEAD[self.lang]["severity"].get(s, s)

    def coverage_status(self, s) -> str:
        return AUDIT_HEAD[self.lang]["statuses"].get(s, s)

    def why_word(self, code) -> str:
        return self._pick(i18n.WHY[code]) if code in i18n.WHY else ""

    def local(self, v) -> str:
        return self.code(LOCAL, v)

    def hospital(self, v) -> str:
        return self.code(HOSPITAL, v)

    def chronic(self, v) -> str:
        return self.code(CHRONIC, v)

    def disease(self, v) -> str:
        return self.code(DISEASE, v)

    def disability(self, v) -> str:
        return self.code(DISABILITY, v)

    def unit(self, u) -> str:
        return self.code(UNITS, u)

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
        parts = []
        for piece in target.split("."):
            kind, _, name = piece.partition(":")
            if kind == "claim":
                parts.append(f"{i18n.w('claim', self.lang)} {name}")
            elif kind == "step":
                parts.append(self.step(name))
            elif kind in ("category", "applied_category"):
                parts.append(self.cat(name) if name else i18n.w("applied_category", self.lang))
            elif kind == "flag":
                parts.append(self.flag(name))
            elif kind == "annual":
                parts.append(self.step(name))
            elif kind in ("total", "premium"):
                parts.append(i18n.w(kind, self.lang))
            elif kind == "param":
                parts.append(i18n.w("parameter", self.lang) + " " + name)
            else:
                parts.append(piece)
        return " · ".join(parts)


REASONS = REASONS_ZH  # re-exported for the letter: the same reason sentences as the CLI's text

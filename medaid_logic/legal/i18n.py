"""Words of the legal answers in Chinese and English (the only place they live)."""
from __future__ import annotations

WORDS = {
    "total": ("全年救助合计", "total aid for the year"),
    "premium": ("参保资助", "premium subsidy"),
    "claim": ("费用", "claim"),
    "aid": ("救助金额", "aid"),
    "self_pay": ("政策范围内个人自付", "self-pay (in-policy)"),
    "deductible": ("起付标准（本次扣除）", "deductible applied"),
    "deductible_base": ("年度起付标准", "annual deductible"),
    "ordinary_aid": ("按比例救助", "ordinary aid"),
    "annual_cap": ("年度救助限额", "annual cap"),
    "top_up": ("兜底救助至目标比例", "top-up"),
    "catalogue_cost_aid": ("目录外费用救助", "catalogue-cost aid"),
    "annual_burden": ("年度个人负担", "annual personal burden"),
    "tilted_aid": ("倾斜救助", "tilted aid"),
    "chronic_quota_settlement": ("门诊慢特病限额年终结算", "year-end chronic quota settlement"),
    "category": ("救助对象类别", "category"),
    "applied_category": ("适用类别（就高不就低）", "applied category (take the highest)"),
    "alternative": ("若按此类别", "had it been paid as"),
    "year_totals": ("全年合计", "year totals"),
    "of_which_tilted": ("其中倾斜救助", "of which tilted aid"),
    "tie_order": ("全年合计相同，按类别表顺序确定", "equal year totals: the category table's order decides"),
    "eligible": ("资格", "eligible"),
    "decided_by": ("决定性环节", "decided by"),
    "decision:identity_ended": ("身份退出", "identity ended"),
    "decision:identity_lost_from_next_month": ("身份丧失，次月起不再享受", "identity lost, no aid from the next month"),
    "decision:stay_past_limit": ("退出后住院超过救助时限", "stay past the limit after the exit"),
    "decision:identity_not_yet_held": ("尚未取得身份", "identity not yet held"),
    "decision:covered_after_exit": ("住院期间退出，当次仍按原身份", "lost during the stay, still covered"),
    "decision:covered_gained_during_stay": ("住院期间取得身份", "gained during the stay"),
    "decision:not_referred": ("未按规定转诊", "not referred"),
    "decision:condition_unmet": ("条件不符", "a condition unmet"),
    "decision:category_not_named": ("条款未列明该类别", "the clause does not name the category"),
    "decision:not_regulated": ("本地未规定", "not regulated here"),
    "decision:delegated": ("标准授权另行确定", "standard delegated"),
    "decision:no_category": ("无救助对象身份", "no category"),
    "decision:precondition": ("不符合前提条件", "a precondition unmet"),
    "decision:not_in_force": ("文件未施行", "no text in force"),
    "decision:deductible_not_met": ("未超过起付标准", "deductible not met"),
    "decision:cap_reached": ("年度限额已用", "annual cap reached"),
    "decision:quota_year_end": ("限额管理年终结算", "year-end quota settlement"),
    "decision:top_up_not_needed": ("综合支付比例已达标，无需兜底", "paid share reached, no top-up needed"),
    "decision:covered_until_next_month": ("身份丧失当月仍享受", "covered until the month's end after the loss"),
    "decision:tie": ("全年合计相同", "equal year totals"),
    "flag": ("提示", "flag"),
    "parameter": ("政策参数", "KB parameter"),
    "input": ("申请资料", "case input"),
    "rule": ("依据", "rule"),
    "clause": ("条款", "clause"),
    "why_not": ("为什么没有", "why not"),
    "candidate": ("可能适用的规则", "rule that could have applied"),
    "failed": ("未满足的第一个条件", "first condition that failed"),
    "holds": ("条件均满足", "all conditions hold"),
    "would_pay": ("若如此将支付", "would have paid"),
    "minimal_change": ("最小改变", "minimal change"),
    "changed": ("变化", "changed"),
    "unchanged": ("无变化", "nothing changed"),
    "clauses": ("本决定依据的条款", "clauses this decision relied on"),
    "obtained": ("已获得", "obtained"),
    "none": ("无", "none"),
    "held": ("持有", "held"),
    "from_to": ("有效期", "held"),
}


# the case's fields and the KB's parameter kinds, as a reader names them
FIELDS = {
    "total_cost": ("总费用", "total cost"), "in_policy_cost": ("政策范围内费用", "in-policy cost"),
    "basic_insurance_paid": ("基本医保支付", "basic insurance paid"), "critical_illness_paid": ("大病保险支付", "critical-illness insurance paid"),
    "other_paid": ("其他支付", "other payers"), "admitted": ("入院日期", "admitted"), "discharged": ("出院日期", "discharged"),
    "date": ("就诊日期", "date"), "referred": ("按规定转诊", "referred"), "in_province": ("省内就医", "in the province"),
    "local": ("就医地", "where treated"), "hospital_class": ("医疗机构类别", "hospital class"), "kind": ("费用类别", "claim kind"),
    "chronic_management": ("慢特病管理方式", "chronic-care management"), "disease": ("病种", "disease"),
    "relocated": ("异地安置", "relocated"), "birth_date": ("出生日期", "birth date"), "hukou": ("户籍", "hukou"),
    "insured_in": ("参保地", "insured in"), "residence": ("居住地", "residence"),
    "income_base": ("上年居民人均可支配收入", "income base"), "rural_income_base": ("上年农村居民人均可支配收入", "rural income base"),
    "dibao_standard": ("最低生活保障标准", "dibao standard"), "contribution": ("个人缴费标准", "personal contribution"),
    "shared_cap_used": ("年内已用共用限额", "shared cap used this year"), "deductible_met": ("年内已扣起付标准", "deductible met this year"),
    "personal_burden": ("年内个人负担", "personal burden this year"),
    "general_outpatient_cap_used": ("年内已用普通门诊限额", "general outpatient cap used this year"),
    "household_income_per_capita": ("家庭人均年收入", "household income per person"),
    "household_medical_burden_per_capita": ("家庭人均医疗负担", "household medical burden per person"),
    "household_assets_within_limits": ("家庭财产符合规定", "household assets within the limits"),
    "disability_certificate_grade": ("残疾证等级", "disability certificate grade"),
    "disability_types": ("残疾类别", "disability types"), "employed": ("就业", "employed"),
}
PARAM_KINDS = {
    "ratio": ("救助比例", "ratio"), "cap": ("年度救助限额", "annual cap"), "no_cap": ("不设年度限额", "no annual cap"),
    "deductible_share": ("起付标准（占收入比例）", "deductible (share of income)"), "deductible_amount": ("起付标准", "deductible"),
    "top_up_target": ("综合支付比例目标", "top-up target share"), "control_ratio": ("目录外费用控制比例", "out-of-catalogue control ratio"),
    "catalogue_aid_ratio": ("目录外费用救助比例", "out-of-catalogue aid ratio"), "recipient": ("救助对象", "a recipient category"),
    "premium_full": ("全额资助参保", "full premium"), "premium_share": ("参保资助比例", "premium share"),
    "premium_minimum": ("参保资助最低额", "premium minimum"), "premium_amount": ("参保资助定额", "premium amount"),
    "premium_share_floor": ("参保资助比例下限", "premium share floor"), "cap_pool": ("共用限额", "cap pool"),
    "hukou_required": ("须具本地户籍", "a local hukou required"), "income_multiple": ("低保标准倍数", "multiple of the dibao standard"),
    "insured_required": ("须在本地参保", "local insurance required"), "disability_grade_max": ("残疾等级不高于", "disability grade at most"),
    "disability_type": ("残疾类别", "disability type"), "unemployed_required": ("须未就业", "not employed"),
    "quota_year_end": ("限额管理年底一次性救助", "quota care settled at year end"),
    "unreferred_excluded": ("未按规定转诊不予救助", "unreferred care excluded"),
}


def field_text(kb, path: str, value, claim_ids: list[str], lang: str) -> str:
    """A case field as a reader names it: 'c1 基本医保支付 30000', '身份 低保对象 2021-06-01..'."""
    import re
    zh = lang == "zh"
    m = re.fullmatch(r"claims\[(\d+)\]\.(\w+)", path)
    if m:
        k, f = int(m.group(1)), m.group(2)
        cid = claim_ids[k] if k < len(claim_ids) else path
        return f"{cid} {_pick(FIELDS.get(f, (f, f)), lang)} {value_word(value, lang)}"
    if re.fullmatch(r"claims\[(\d+)\]", path):
        return f"{'费用' if zh else 'claim'} {value_word(value, lang)}"
    if re.fullmatch(r"applicant\.identities\[\d+\]", path):
        cat, _, span = str(value).partition(" ")
        return f"{'所持身份' if zh else 'identity'} {category_label(kb, cat, lang)} {span}".rstrip()
    last = path.rsplit(".", 1)[-1]
    shown = value_word(value, lang)
    if zh:
        shown = {"true": "是", "false": "否"}.get(shown, shown.replace(" (caller)", "（调用方提供）"))
    return f"{_pick(FIELDS.get(last, (last, last)), lang)} {shown}"


def param_text(kb, pid: str, value, lang: str) -> str:
    """A KB parameter as the clause states it: '返贫致贫人口 救助比例 70%'."""
    p = kb.parameters.get(pid)
    if p is None:
        return str(pid)
    cats = [kb.categories[c] for c in p.categories if c in kb.categories]
    names = "、".join(c.label_zh for c in cats) if lang == "zh" else ", ".join(c.label_en for c in cats)
    kind = _pick(PARAM_KINDS.get(p.kind, (p.kind, p.kind)), lang)
    if value is None:
        shown = status_word(p.status, lang)
    elif p.unit == "ratio":
        from ..money import bp_to_percent, ratio_to_bp
        try:
            shown = bp_to_percent(ratio_to_bp(str(value).split(" ")[0]))
        except Exception:   # a caller's text is shown as given
            shown = str(value)
    elif p.unit == "flag":
        shown = ""
    else:
        shown = str(value)
    shown = shown.replace(" (caller)", "（调用方提供）" if lang == "zh" else " (supplied by the caller)")
    return " ".join(x for x in (names, kind, shown) if x)


def _pick(pair, lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def w(key: str, lang: str) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def category_label(kb, cid: str, lang: str) -> str:
    c = kb.categories.get(cid)
    if c is None:
        return cid
    return f"{c.label_zh}({cid})" if lang == "zh" else f"{c.label_en} ({cid})"


# ---- Chinese renderings of what the engine gives in English (the figures are the solver's) ----
SOURCE_ZH = {"certified": "认定", "derived": "依事实推定", "treated": "视同", "treated_as": "视同", "caller": "调用方提供"}
STATUS_ZH = {"stated": "已规定", "silent": "未规定", "delegated": "授权地方确定", "vague": "表述模糊", "undetermined": "待定",
             "computed": "已计算", "none": "无"}


def source_word(src, lang: str) -> str:
    if src is None:
        return ""
    if lang != "zh":
        return str(src)
    s = str(src)
    if s.startswith("kb "):
        return "知识库 " + s[3:]
    return SOURCE_ZH.get(s, s)


def status_word(st, lang: str) -> str:
    return STATUS_ZH.get(str(st), str(st)) if lang == "zh" else str(st)


def flag_word(kind: str, lang: str) -> str:
    if lang != "zh":
        return kind
    from ..render import WORDS as RW
    return RW["zh"]["kinds"].get(kind, kind)


def value_word(v, lang: str) -> str:
    """An input value as shown; a value the case does not give is said so, never Python's None."""
    if v is None or v == "None":
        return "未提供" if lang == "zh" else "not given"
    return str(v)


def claim_reason(kb, claim: dict, lang: str) -> str | None:
    """Why a claim is paid nothing, in the asked language (the engine's reason codes)."""
    if not claim.get("reason"):
        return None
    if lang != "zh":
        return claim["reason"]
    from ..render import REASONS_ZH, label
    return "；".join(REASONS_ZH.get(r["code"], r["code"]).format(
        d=label(kb, r["detail"], lang) if r.get("detail") in kb.categories else r.get("detail"))
        for r in claim.get("reason_codes", [])) or "无可支付金额"


def formula_zh(t) -> str:
    """A step's formula term (step/7, premium/5) in Chinese words, with the solver's figures."""
    from ..result import formula_text
    return formula_text(t, "zh")


# what-if: why an amount changed (the code is kept beside the words as why_code)
WHY = {
    "excluded": ("被排除", "excluded"),
    "same_amount_other_rule": ("数额不变，依据改变", "same amount, different rule"),
    "other_rule": ("适用的规则改变", "a different rule applies"),
    "rule_now": ("该规则现在适用", "the rule now applies"),
    "rule_no_longer": ("该规则不再适用", "the rule no longer applies"),
    "other_parameter": ("同一条款，适用的参数改变", "same clause, a different parameter"),
    "same_rule_other_figures": ("规则与参数相同，数字改变", "same rule and parameter, different figures"),
    "parameter_value": ("参数取值改变", "the parameter's value changed"),
}

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
SOURCE_ZH = {"certified": "认定", "derived": "依事实推定", "treated": "视同", "treated_as": "视同", "caller": "申请人提供"}
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

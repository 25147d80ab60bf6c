"""Readable text for a result, in Chinese (default) or English.

Presentation only: every figure, rule and clause comes from the result, which comes from the
solver's atoms and the KB.
"""
from __future__ import annotations

from .kb import KB

WORDS = {
    "zh": {
        "case": "案件", "year": "年度", "jurisdiction": "适用地区", "categories": "救助对象身份",
        "applied": "适用类别（就高不就低）", "premium": "参保资助", "claims": "逐笔救助", "annual": "年度计算",
        "total": "救助合计", "tilt": "大病保险倾斜支付", "flags": "提示", "notes": "说明", "params": "所用参数",
        "aid": "救助", "yuan": "元", "rule": "依据", "limited_by": "受限于", "alternatives": "其他身份可得",
        "reason": "原因", "none": "无", "since": "自", "until": "至", "status": "状态", "why_applied": "适用理由",
        "higher": "全年合计最高（就高不就低，不重复享受）", "year_totals": "各身份全年合计", "analogy": "类推适用",
        "silent": "文本未规定，按本引擎的解释口径", "tie": "全年合计相同，按类别表顺序确定",
        "of_which_tilted": "其中倾斜救助", "decided_by": "决定性环节", "caller": "调用方提供", "kb": "知识库",
        "tilt_terms": {"deductible_factor": "起付线系数", "ratio": "支付比例", "ratio_points": "支付比例提高（百分点）",
                       "cap": "封顶线", "status": "状态"},
        "flag_detail": {"subkind": "类型", "amount": "金额", "place": "申请地", "claim": "费用", "category": "类别",
                        "burden": "负担", "threshold": "标准", "about": "事项", "status": "状态", "delegated_to": "确定机关",
                        "claim_id": "费用", "measure": "指标", "target": "目标"},
        "flag_values": {"tilted_aid": "倾斜救助", "premium_subsidy": "参保资助", "premium": "参保资助", "monitoring": "监测标准",
                        "exit_rule": "身份退出规则", "delegated": "授权另行确定", "vague": "表述模糊", "silent": "未作规定",
                        "out_of_catalogue": "目录外费用", "self_pay": "个人自付",
                        "return_risk": "因病返贫风险", "poverty_risk": "因病致贫风险"},
        "no_cap": "取消封顶线", "ordinary_cap": "按大病保险现行封顶线",
        "certified": "认定", "derived": "依事实推定", "treated_as": "视同",
        "self_pay": "政策范围内自付", "deductible": "起付标准（本次扣除）", "deductible_base": "年度起付标准",
        "ordinary_aid": "按比例救助", "annual_cap": "年度救助限额", "top_up": "综合支付比例兜底（救助到目标比例）",
        "catalogue_cost_aid": "目录外费用救助", "annual_burden": "年度个人负担", "tilted_aid": "倾斜救助",
        "chronic_quota_settlement": "门诊慢特病限额管理年终救助",
        "computed": "已计算", "delegated": "授权地方确定", "undetermined": "待定", "kinds": {
            "monitoring": "纳入监测", "direct_aid": "直接救助", "on_application": "依申请救助",
            "one_stop_settlement": "一站式结算", "no_deposit": "免住院押金", "hospital_bears_excess": "超比例费用由医疗机构承担",
            "catalogue_target_exceeded": "目录外费用控制目标超出", "apply_at": "申请地", "delegated": "授权事项",
            "vague": "表述模糊", "not_in_force": "未生效/已失效"},
        "limits": {"deductible": "起付标准", "annual_cap": "年度救助限额", "identity_ended": "身份已退出", "identity_not_yet_held": "身份尚未取得",
                   "not_referred": "未按规定转诊", "not_in_force": "文件未生效/已失效", "delegated": "标准授权地方确定",
                   "quota_year_end": "限额管理年底结算", "precondition": "不符合前提条件"},
        "claim_kinds": {"inpatient": "住院", "outpatient_chronic": "门诊慢特病", "outpatient_special_drug": "门诊特药",
                        "outpatient_general": "普通门诊", "rare_disease": "罕见病"},
    },
    "en": {
        "case": "Case", "year": "year", "jurisdiction": "jurisdiction", "categories": "Categories held",
        "applied": "Applied category (take the highest)", "premium": "Premium subsidy", "claims": "Claims",
        "annual": "Computed on the year", "total": "Total aid", "tilt": "Critical-illness insurance tilt",
        "flags": "Flags", "notes": "Notes", "params": "Parameters used", "aid": "aid", "yuan": "yuan", "rule": "rule",
        "limited_by": "limited by", "alternatives": "other categories would pay", "reason": "reason", "none": "none",
        "since": "from", "until": "until", "status": "status", "why_applied": "why applied",
        "higher": "highest year total (take the highest, never twice)", "year_totals": "year totals", "analogy": "by analogy with",
        "silent": "the texts are silent: the engine's reading precedence", "tie": "equal year totals: the category table's order decides",
        "of_which_tilted": "of which tilted aid", "decided_by": "decided by", "caller": "supplied by the caller", "kb": "KB",
        "tilt_terms": {"deductible_factor": "deductible factor", "ratio": "ratio", "ratio_points": "ratio points",
                       "cap": "cap", "status": "status"},
        "flag_detail": {}, "flag_values": {},
        "no_cap": "no cap", "ordinary_cap": "the usual cap",
        "certified": "certified", "derived": "derived from facts", "treated_as": "treated as",
        "self_pay": "in-policy self-pay", "deductible": "deductible (taken here)", "deductible_base": "annual deductible",
        "ordinary_aid": "aid at the ratio", "annual_cap": "annual cap", "top_up": "top-up to the target payment ratio",
        "catalogue_cost_aid": "out-of-catalogue cost aid", "annual_burden": "annual burden", "tilted_aid": "tilted aid",
        "chronic_quota_settlement": "year-end settlement of quota-managed chronic care",
        "computed": "computed", "delegated": "delegated", "undetermined": "undetermined", "kinds": {},
        "limits": {}, "claim_kinds": {},
    },
}


REASONS_ZH = {
    "not_in_force": "结算日无本地区有效文件", "precondition": "不符合{d}方面的前提条件",
    "quota_year_end": "限额管理：年底一次性救助（见年度计算）", "not_referred": "未按规定转诊，原则上不纳入医疗救助范围（{d}）",
    "not_regulated": "本地区文件未规定{d}救助", "delegated": "标准授权另行确定（{d}），尚未设定",
    "no_category": "申请人无救助对象身份", "identity_not_held": "身份{d}不覆盖本次就医日期",
    "category_not_named": "条款未列明{d}享受此项救助", "nothing_to_pay": "扣除起付标准和限额后无可支付金额",
}


def label(kb: KB, category: str | None, lang: str) -> str:
    if category is None:
        return WORDS[lang]["none"]
    c = kb.categories.get(category)
    if c is None:
        return category
    return f"{c.label_zh}（{category}）" if lang == "zh" else f"{c.label_en} ({category})"


def _src(source: dict | None, lang: str) -> str:
    if not source or not source.get("text"):
        return ""
    return f"\n        「{source['text']}」" if lang == "zh" else f"\n        \"{source['text']}\""


def _formula(step: dict, lang: str) -> str:
    return step.get("formula_zh", step["formula"]) if lang == "zh" else step["formula"]


def _flag_value(v, kb: KB, lang: str) -> str:
    if lang == "zh" and isinstance(v, str):
        if v in kb.categories:
            return kb.categories[v].label_zh
        return WORDS["zh"]["flag_values"].get(v, v)
    return str(v)


def _decision_word(d: dict, kb: KB, lang: str) -> str:
    from .legal.i18n import w as legal_word
    word = legal_word(f"decision:{d['step']}", lang)
    return word + (f"（{label(kb, d['category'], lang)}）" if d.get("category") and lang == "zh" else
                   f" ({label(kb, d['category'], lang)})" if d.get("category") else "")


def render_text(result: dict, kb: KB, lang: str = "zh") -> str:
    w = WORDS[lang]
    out = [f"{w['case']} {result['case_id']} — {w['jurisdiction']} {result['jurisdiction']}, {w['year']} {result['year']}"]
    out.append(f"\n{w['categories']}:")
    for c in result["categories"] or [{"category": None}]:
        if c.get("category") is None:
            out.append(f"  {w['none']}")
            continue
        span = f"{w['since']} {c['since']}" + (f" {w['until']} {c['until']}" if c.get("until") else "")
        extra = f" {w['treated_as']} ← {c['identity']} ({c['rule']})" if c["source"] == "treated_as" else ""
        out.append(f"  - {label(kb, c['category'], lang)} [{w.get(c['source'], c['source'])}] {span}{extra}")
    out.append(f"{w['applied']}: {label(kb, result['applied_category'], lang)}")

    p = result["premium_subsidy"]
    out.append(f"\n{w['premium']}: {p.get('amount') or '—'} {w['yuan']} [{w.get(p['status'], p['status'])}]"
               + (f" — {label(kb, p.get('category'), lang)}, {w['rule']} {p['rule']}" if p.get("rule") else ""))
    if p.get("formula"):
        out.append(f"    = {_formula(p, lang)}")
    if p.get("delegated_to"):
        out.append(f"    → {p['delegated_to']}" + (f" (≥ {p['at_least']})" if p.get("at_least") else ""))
    out.append(_src(p.get("source"), lang).strip("\n") if p.get("source") else "")

    out.append(f"\n{w['claims']}:")
    for c in result["claims"]:
        out.append(f"  [{c['claim_id']}] {w['claim_kinds'].get(c['kind'], c['kind'])}: {w['aid']} {c['aid']} {w['yuan']}"
                   + (f" — {label(kb, c['category'], lang)}; {w['rule']} {c['rule']}" if c.get("rule") else ""))
        if c.get("source"):
            out.append(f"      {c['source'].get('document') or ''} {c['source'].get('clause')}" + _src(c["source"], lang))
        for s in c["steps"]:
            out.append(f"      · {w.get(s['what'], s['what'])}: {_formula(s, lang)} = {s['amount']}"
                       + (f"  ({s['rule']})" if s.get("rule") and s.get("rule") != c.get("rule") else ""))
        decided = [d for d in c.get("decided_by", []) if d.get("rule")]
        if decided:
            out.append(f"      {w['decided_by']}: " + "; ".join(
                f"{_decision_word(d, kb, lang)} ({d['rule']})" for d in decided))
        if c["limited_by"]:
            out.append(f"      {w['limited_by']}: {', '.join(w['limits'].get(x, x) for x in c['limited_by'])}")
        if c.get("reason"):
            text = c["reason"] if lang == "en" else "；".join(
                REASONS_ZH.get(r["code"], r["code"]).format(d=label(kb, r["detail"], lang) if r["detail"] in kb.categories else r["detail"])
                for r in c.get("reason_codes", [])) or "无可支付金额"
            out.append(f"      {w['reason']}: {text}")
        if c["alternatives"]:
            alts = "; ".join(f"{label(kb, a['category'], lang)} {a['aid']} ({a['rule']})" for a in c["alternatives"])
            out.append(f"      {w['alternatives']}: {alts}")
    if result["annual"]:
        out.append(f"\n{w['annual']}:")
        for a in result["annual"]:
            out.append(f"  {w.get(a['kind'], a['kind'])}: {a['aid']} {w['yuan']} — {w['rule']} {a['rule']}")
            for s in a.get("steps", []):
                out.append(f"      · {w.get(s['what'], s['what'])}: {_formula(s, lang)} = {s['amount']}")
            out.append(_src(a.get("source"), lang).strip("\n"))
    prec = (result.get("precedence") or {}).get("aid")
    if prec:
        totals = "; ".join(f"{label(kb, t['category'], lang)} {t['total']}"
                           + (f"（{w['of_which_tilted']} {t['tilted_aid']}）" if t.get("tilted_aid") else "")
                           for t in prec["year_totals"])
        out.append(f"\n{w['why_applied']}: {w['higher']}")
        out.append(f"  {w['year_totals']}: {totals} → {label(kb, prec['applied'], lang)}"
                   + (f"（{w['tie']}）" if prec.get("tie_with") else ""))
        if prec.get("rule"):
            borrowed = f" — {w['analogy']} {prec['by_analogy_with']}" if prec.get("by_analogy_with") else ""
            borrowed += f" — {w['silent']}" if prec.get("silent") else ""
            out.append(f"  {w['rule']} {prec['rule']}{borrowed}")
    out.append(f"\n{w['total']}: {result['total_aid']} {w['yuan']}")
    t = result.get("insurance_tilt")
    if t:
        caps = {None: w["no_cap"], "ordinary": w["ordinary_cap"]}
        terms = ", ".join(f"{w['tilt_terms'][k]} {caps.get(t[k], t[k]) if k == 'cap' else _flag_value(t[k], kb, lang) if k == 'status' else t[k]}"
                          for k in ("deductible_factor", "ratio", "ratio_points", "cap", "status") if k in t)
        out.append(f"{w['tilt']}: {label(kb, t['category'], lang)} — {terms} ({t['rule']})")
    if result["flags"]:
        out.append(f"\n{w['flags']}:")
        for f in result["flags"]:
            detail = ", ".join(f"{w['flag_detail'].get(k, k)} {_flag_value(v, kb, lang)}" for k, v in f.items()
                               if k not in ("kind", "rule", "source") and v is not None)
            out.append(f"  - {w['kinds'].get(f['kind'], f['kind'])} ({f['rule']}) {detail}".rstrip())
    if result["parameters_used"]:
        out.append(f"\n{w['params']}:")
        for k, v in result["parameters_used"].items():
            origin = w["caller"] if v["from"] == "caller" else f"{w['kb']} {v['from']['kb']}: {v['from'].get('source')}"
            out.append(f"  {k} = {v['value']} ({origin})")
    notes = result.get("notes_zh") if lang == "zh" else result["notes"]
    if notes:
        out.append(f"\n{w['notes']}:")
        out.extend(f"  - {n}" for n in notes)
    return "\n".join(line for line in out if line is not None) + "\n"

"""The audit's words, zh and en, in one catalogue: finding kinds, what a parameter sets, the
values the texts' codes stand for, relations and checks. A statement is built from these and from
the KB's labels only, so no id reaches a reader."""
from __future__ import annotations

KIND_NAMES = {
    "safety": ("安全性质", "safety"),
    "coverage_gap": ("覆盖缺口", "coverage gap"),
    "city_vs_province": ("市省对比", "city vs province"),
    "contradiction": ("文件内部矛盾", "contradiction within a document"),
    "peer": ("城市间对比", "peer comparison"),
    "limits": ("限额关系未明", "limits whose relation is unstated"),
    "exception": ("例外（按特别规定优先）", "exception (resolved by specificity)"),
    "conflict": ("冲突", "conflict"),
    "time": ("时效", "time"),
    "precedence": ("多重身份", "multiple identities"),
    "delegated": ("授权另定", "delegated"),
    "vague": ("表述模糊", "vague"),
    "silent": ("未作规定", "silent"),
}

# what a parameter of a kind sets
SETS = {
    "ratio": ("救助比例", "aid ratio"), "cap": ("年度救助限额", "annual cap"), "no_cap": ("不设封顶", "no cap"),
    "cap_pool": ("限额共用", "shared cap"),
    "deductible_amount": ("起付标准", "deductible"), "deductible_share": ("起付标准", "deductible"), "deductible": ("起付标准", "deductible"),
    "premium": ("参保资助", "premium subsidy"),
    "premium_full": ("全额资助", "full premium subsidy"), "premium_share": ("按比例资助", "premium subsidy by share"),
    "premium_amount": ("定额资助", "fixed premium subsidy"), "premium_minimum": ("最低资助额", "minimum premium subsidy"),
    "premium_share_floor": ("资助下限", "premium subsidy floor"), "take_highest": ("就高不就低", "take-the-highest"),
    "exit_rule": ("身份退出后的救助", "aid after an identity ends"), "stay_rule": ("住院期间身份变动", "identity changes during a stay"),
    "exit_stay_limit": ("退出时在院者的救助期限", "how long a stay in progress keeps aid after an exit"),
    "catalogue_aid_ratio": ("目录外费用救助", "out-of-catalogue cost aid"),
    "control_ratio": ("目录外费用占比控制", "out-of-catalogue share limit"),
    "control_excess_borne_by_hospital": ("超出部分由医疗机构承担", "excess borne by the hospital"),
    "tilt_deductible_factor": ("大病保险起付线降低", "lower critical-illness deductible"),
    "tilt_ratio": ("大病保险支付比例", "critical-illness payment ratio"),
    "tilt_no_cap": ("大病保险取消封顶线", "no critical-illness cap"),
    "tilt_ordinary_cap": ("大病保险按普通封顶线", "ordinary critical-illness cap"),
    "tilt_ratio_points": ("大病保险支付比例提高", "higher critical-illness ratio"),
    "quota_year_end": ("限额管理年终结算", "quota management settled at year end"),
    "unreferred_excluded": ("未按规定转诊原则上不予救助", "unreferred care not covered"),
    "apply_at_residence_years": ("在居住地申请的居住年限", "years of residence to apply there"),
    "one_stop": ("“一站式”结算", "one-stop settlement"), "direct": ("直接救助", "aid without application"),
    "on_application": ("依申请救助", "aid on application"),
    "return_risk_group": ("因病返贫监测人群", "who is monitored for relapse"),
    "poverty_risk_amount": ("因病致贫监测标准", "illness-poverty monitoring threshold"),
    "return_risk_amount": ("因病返贫监测标准", "relapse monitoring threshold"),
    "no_deposit": ("免住院押金", "no hospital deposit"), "amount": ("救助金额", "aid amount"),
    "top_up_target": ("综合保障比例托底", "combined payment floor"), "recipient": ("救助对象范围", "who is a recipient"),
}

VALUES = {
    "exit_date": ("自退出之日起停止", "ends on the exit date"), "next_month": ("原则上自次月起停止", "ends from the next month, in principle"),
    "admission": ("以入院当日身份为准", "the identity held on admission"), "any_day": ("住院期间任一日取得的身份均适用", "an identity held on any day of the stay"),
    "unlimited": ("不设封顶", "no cap"), "silent": ("未作规定", "not stated"), "referred": ("须按规定转诊", "only when referred"),
    "any_stay": ("不以转诊为条件", "with no referral condition"), "shared": ("共用", "shared"),
    "general_outpatient": ("单独计算", "separate"),
}

RELATIONS = {
    "different": ("取值不同", "sets a different value"), "narrower": ("范围更窄", "is narrower"),
    "dropped": ("未规定省级规定的事项", "drops a rule the province sets"), "broader": ("范围更宽", "is broader"),
    "added": ("新增省级没有的规定", "adds a rule the province does not set"),
    "fills_silence": ("对省级未作规定的事项作了规定", "states what the province leaves unstated"),
}

CHECKS = {
    "coverage": ("覆盖检查", "coverage check"), "city_vs_province": ("市省对比", "city vs province"),
    "time": ("时效检查", "time check"), "delegated": ("授权检查", "delegation check"), "silent": ("未规定检查", "silence check"),
    "vague": ("模糊检查", "vagueness check"), "provision": ("知识库条款记录", "KB provision"),
    "precedence": ("多重身份检查", "multiple-identity check"), "flip_search": ("就高顺序检索", "precedence-flip search"),
    "safety_search": ("安全性质检索", "safety search"), "peer": ("城市间对比", "peer comparison"),
    "limits": ("限额关系检查", "limit check"), "exception": ("例外检查", "exception check"), "conflict": ("冲突检查", "conflict check"),
}

PROPERTIES = {
    "over_guarantee": ("救助加保险不超过费用", "aid + insurance ≤ cost"),
    "monotonic": ("自付越多救助不减", "more self-pay never less aid"),
    "extra_identity": ("多一个身份救助不减", "an extra identity never less aid"),
    "premium_over": ("参保资助不超过个人缴费", "premium subsidy ≤ contribution"),
}

EVERYONE = {"everyone": ("所有参保人", "all insured persons"), "any_recipient": ("各类救助对象", "every recipient")}


def word(table: dict, key, lang: str, default: tuple = ("相关规定", "the rule")) -> str:
    return table.get(key, default)[0 if lang == "zh" else 1]

"""The feature catalog: every per-customer feature with its names, group, type, unit and definition.

The catalog is the contract with tags, tiers, segments and the expression language: each feature is
one column of the ``features`` snapshot, in this order. Definitions are stated here in full so an
analyst can read what a number means without opening the SQL (kequn.features.compute).

Conventions used in the descriptions:

- "D" is the as_of date. "N days" means the N calendar days ending on D (D included), so 30 days
  starts at D - 29 at 00:00.
- Amounts are CNY; balances are end-of-day balances, held from the day of their row until the next
  row of the same account (sparse change rows).
- "Assets" (AUM) are end-of-day balances of demand deposits, time deposits, wealth products, funds
  and insurance (DOMAIN.md §1); liabilities (loans, cards) are not netted.
- "Customer-initiated" transactions are all kinds except interest and fees, which the bank books.
"""

from __future__ import annotations

from dataclasses import dataclass

from kequn.core.errors import NotFound

DTYPES = ("number", "integer", "string", "boolean", "date")

# group code -> (zh-CN, English)
GROUPS: dict[str, tuple[str, str]] = {
    "demographics": ("基础属性", "Demographics"),
    "assets": ("资产", "Assets"),
    "liabilities": ("负债", "Liabilities"),
    "holdings": ("产品持有", "Holdings"),
    "transactions": ("交易", "Transactions"),
    "channel": ("渠道", "Channels"),
    "lifecycle": ("生命周期", "Lifecycle"),
    "value": ("价值", "Value"),
    "risk": ("风险", "Risk"),
    "consent": ("授权", "Consent"),
}

# Asset categories (DOMAIN.md §1) with their zh-CN / English names.
ASSET_CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "demand_deposit": ("活期存款", "demand deposits"),
    "time_deposit": ("定期存款", "time deposits"),
    "wealth": ("理财", "wealth products"),
    "fund": ("基金", "funds"),
    "insurance": ("保险", "insurance"),
}
HELD_CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    **ASSET_CATEGORY_NAMES,
    "loan": ("贷款", "loans"),
    "credit_card": ("信用卡", "credit cards"),
}


@dataclass(frozen=True)
class FeatureDef:
    name: str
    dtype: str  # one of DTYPES
    group: str  # a key of GROUPS
    name_zh: str
    name_en: str
    unit: str  # CNY, days, count, years, ratio, score, level, or "" (none)
    description: str


def _f(name: str, dtype: str, group: str, zh: str, en: str, unit: str, description: str) -> FeatureDef:
    return FeatureDef(name, dtype, group, zh, en, unit, description)


def _demographics() -> list[FeatureDef]:
    g = "demographics"
    text = "From the customer's golden record (OneID survivorship)."
    return [
        _f("age", "integer", g, "年龄", "Age", "years", "Completed years of age on D (birth date)."),
        _f("gender", "string", g, "性别", "Gender", "", f"M or F. {text}"),
        _f("city", "string", g, "城市", "City", "", f"City of residence. {text}"),
        _f("org_id", "string", g, "所属机构", "Branch", "", f"Owning (sub-)branch org_id. {text}"),
        _f("rm_id", "string", g, "客户经理", "Relationship manager", "", f"staff_id of the RM. {text}"),
        _f("occupation", "string", g, "职业", "Occupation", "", text),
        _f("education", "string", g, "学历", "Education", "", text),
        _f("marital", "string", g, "婚姻状况", "Marital status", "", text),
        _f("income_band", "string", g, "收入区间", "Income band", "", f"Declared income band. {text}"),
        _f("has_rm", "boolean", g, "有客户经理", "Has an RM", "", "True when an RM is assigned (rm_id)."),
    ]


def _mad(what: str) -> str:
    return (
        f"Monthly average daily {what}: the sum over days of end-of-day balances divided by the number "
        "of days"
    )


def _assets() -> list[FeatureDef]:
    g = "assets"
    out = [
        _f("aum", "number", g, "当日AUM", "AUM today", "CNY", "End-of-day assets on D."),
    ]
    for cat, (zh, en) in ASSET_CATEGORY_NAMES.items():
        out.append(
            _f(f"aum_{cat}", "number", g, f"当日{zh}", f"AUM today: {en}", "CNY", f"End-of-day {en} on D.")
        )
    out.append(
        _f(
            "aum_mad",
            "number",
            g,
            "月日均AUM",
            "Monthly average daily AUM",
            "CNY",
            f"{_mad('assets')}, month to date: days 1..D of D's month (月日均AUM, DOMAIN.md §1).",
        )
    )
    for cat, (zh, en) in ASSET_CATEGORY_NAMES.items():
        out.append(
            _f(
                f"aum_mad_{cat}",
                "number",
                g,
                f"{zh}月日均",
                f"Monthly average daily {en}",
                "CNY",
                f"{_mad(en)}, month to date (days 1..D of D's month).",
            )
        )
    months = (
        ("prev_month", "上月", "last month", 1),
        ("3m_ago", "3个月前", "3 months ago", 3),
        ("6m_ago", "6个月前", "6 months ago", 6),
    )
    for suffix, zh, en, k in months:
        out.append(
            _f(
                f"aum_mad_{suffix}",
                "number",
                g,
                f"{zh}月日均AUM",
                f"Monthly average daily AUM {en}",
                "CNY",
                f"{_mad('assets')}, over the whole calendar month {k} month(s) before D's month.",
            )
        )
    for k in (3, 6):
        out.append(
            _f(
                f"aum_trend_{k}m",
                "number",
                g,
                f"AUM{k}个月趋势",
                f"AUM trend over {k} months",
                "ratio",
                f"aum_mad / aum_mad_{k}m_ago - 1 (0.25 = a quarter more than {k} months ago); "
                f"NULL when aum_mad_{k}m_ago is 0.",
            )
        )
    out += [
        _f(
            "aum_max_6m",
            "number",
            g,
            "近6个月月日均AUM最高值",
            "Highest monthly average AUM in 6 months",
            "CNY",
            "Highest monthly average daily AUM among the 6 months ending with D's month (D's month to "
            "date and the 5 calendar months before it): the 'highest month of the last 6' some banks "
            "downgrade tiers by (DOMAIN.md §1).",
        ),
        _f(
            "aum_change_30d",
            "number",
            g,
            "AUM 30天变动",
            "AUM change over 30 days",
            "CNY",
            "aum minus end-of-day assets 30 days before D.",
        ),
        _f(
            "investment_share",
            "number",
            g,
            "投资类资产占比",
            "Investment share of AUM",
            "ratio",
            "(wealth + funds + insurance) / aum on D; NULL when aum is 0.",
        ),
    ]
    return out


def _liabilities() -> list[FeatureDef]:
    g = "liabilities"
    return [
        _f(
            "loan_balance",
            "number",
            g,
            "贷款余额",
            "Loan balance",
            "CNY",
            "Amount owed on loans at the end of D.",
        ),
        _f("loan_count", "integer", g, "贷款笔数", "Loans", "count", "Open loan accounts on D."),
        _f("has_loan", "boolean", g, "有贷款", "Has a loan", "", "True when loan_count > 0."),
        _f(
            "card_limit",
            "number",
            g,
            "信用卡额度",
            "Credit card limit",
            "CNY",
            "Sum of the credit limits of open credit card accounts on D.",
        ),
        _f(
            "card_balance",
            "number",
            g,
            "信用卡欠款",
            "Credit card balance",
            "CNY",
            "Amount owed on credit cards at the end of D: the card's end-of-day balance where the card "
            "system exports balances; otherwise estimated as the card's debits minus credits over 30 "
            "days, floored at 0.",
        ),
        _f(
            "card_utilisation",
            "number",
            g,
            "信用卡额度使用率",
            "Card utilisation",
            "ratio",
            "card_balance / card_limit; NULL without a card limit.",
        ),
        _f(
            "net_assets",
            "number",
            g,
            "净资产",
            "Net assets",
            "CNY",
            "aum - loan_balance - card_balance.",
        ),
    ]


def _holdings() -> list[FeatureDef]:
    g = "holdings"
    out = [
        _f(
            "product_count",
            "integer",
            g,
            "持有产品数",
            "Products held",
            "count",
            "Distinct products of the customer's open accounts on D.",
        ),
        _f("account_count", "integer", g, "账户数", "Open accounts", "count", "Open accounts on D."),
        _f(
            "category_count",
            "integer",
            g,
            "持有品类数",
            "Categories held",
            "count",
            "How many of the seven product categories (the holds_* features) the customer holds on D.",
        ),
    ]
    for cat, (zh, en) in HELD_CATEGORY_NAMES.items():
        out.append(
            _f(f"holds_{cat}", "boolean", g, f"持有{zh}", f"Holds {en}", "", f"An open {en} account on D.")
        )
    out += [
        _f(
            "td_maturing_30d",
            "number",
            g,
            "30天内到期定期",
            "Time deposits maturing in 30 days",
            "CNY",
            "End-of-day balance on D of time deposits whose maturity date is in D+1 .. D+30.",
        ),
        _f(
            "td_maturing_30d_count",
            "integer",
            g,
            "30天内到期定期笔数",
            "Time deposits maturing in 30 days (count)",
            "count",
            "Open time-deposit accounts maturing in D+1 .. D+30.",
        ),
        _f(
            "max_product_risk",
            "integer",
            g,
            "持有产品最高风险等级",
            "Highest product risk held",
            "level",
            "Highest risk rating (1-5, R1-R5) of the products of open accounts on D.",
        ),
        _f(
            "days_since_last_account_open",
            "integer",
            g,
            "距最近开户天数",
            "Days since the last account opening",
            "days",
            "D minus the latest opening date of any account opened on or before D.",
        ),
    ]
    return out


def _window_txn(days: int) -> list[FeatureDef]:
    g = "transactions"
    return [
        _f(
            f"txn_count_{days}d",
            "integer",
            g,
            f"近{days}天交易笔数",
            f"Transactions in {days} days",
            "count",
            f"Transactions on any of the customer's accounts in the {days} days ending on D.",
        ),
        _f(
            f"txn_in_amount_{days}d",
            "number",
            g,
            f"近{days}天入账金额",
            f"Money in over {days} days",
            "CNY",
            f"Sum of credits (direction in) in the {days} days ending on D.",
        ),
        _f(
            f"txn_out_amount_{days}d",
            "number",
            g,
            f"近{days}天出账金额",
            f"Money out over {days} days",
            "CNY",
            f"Sum of debits (direction out) in the {days} days ending on D.",
        ),
    ]


CHANNEL_NAMES: dict[str, tuple[str, str, str]] = {
    # feature suffix -> (txn.channel code, zh, en)
    "mobile": ("MOB", "手机银行", "mobile banking"),
    "online": ("NET", "网上银行", "internet banking"),
    "counter": ("CNT", "柜面", "branch counter"),
    "atm": ("ATM", "ATM", "ATM"),
    "pos": ("POS", "POS", "POS"),
    "api": ("API", "开放接口/第三方", "API / third-party"),
}


def _kind_amount(name: str, zh: str, en: str, description: str) -> FeatureDef:
    return _f(name, "number", "transactions", zh, en, "CNY", description)


def _transactions() -> list[FeatureDef]:
    g = "transactions"
    out = [f for days in (30, 90, 180) for f in _window_txn(days)]
    out += [
        _f(
            "txn_in_count_30d",
            "integer",
            g,
            "近30天入账笔数",
            "Credits in 30 days",
            "count",
            "Credits in 30 days.",
        ),
        _f(
            "txn_out_count_30d",
            "integer",
            g,
            "近30天出账笔数",
            "Debits in 30 days",
            "count",
            "Debits in 30 days.",
        ),
        _f(
            "net_flow_30d",
            "number",
            g,
            "近30天资金净流入",
            "Net flow over 30 days",
            "CNY",
            "txn_in_amount_30d - txn_out_amount_30d.",
        ),
        _f(
            "net_flow_90d",
            "number",
            g,
            "近90天资金净流入",
            "Net flow over 90 days",
            "CNY",
            "txn_in_amount_90d - txn_out_amount_90d.",
        ),
    ]
    for suffix, (code, zh, en) in CHANNEL_NAMES.items():
        out.append(
            _f(
                f"txn_count_{suffix}_90d",
                "integer",
                g,
                f"近90天{zh}交易笔数",
                f"{en.capitalize()} transactions in 90 days",
                "count",
                f"Transactions with channel {code} in 90 days.",
            )
        )
    out += [
        _f("purchase_count_30d", "integer", g, "近30天消费笔数", "Purchases in 30 days", "count",
           "Purchase debits (kind purchase, direction out) in 30 days, cards included."),
        _kind_amount("purchase_amount_30d", "近30天消费金额", "Spending over 30 days",
                     "Sum of purchase debits in 30 days, cards included."),
        _kind_amount("purchase_amount_90d", "近90天消费金额", "Spending over 90 days",
                     "Sum of purchase debits in 90 days, cards included."),
        _kind_amount("card_spend_30d", "近30天信用卡消费", "Card spending over 30 days",
                     "Sum of purchase debits on credit card accounts in 30 days."),
        _kind_amount("cash_withdrawal_amount_90d", "近90天取现金额", "Cash withdrawn over 90 days",
                     "Sum of cash debits in 90 days."),
        _kind_amount("cash_deposit_amount_90d", "近90天存现金额", "Cash deposited over 90 days",
                     "Sum of cash credits in 90 days."),
        _kind_amount("transfer_in_amount_90d", "近90天转入金额", "Transfers in over 90 days",
                     "Sum of transfer credits in 90 days."),
        _kind_amount("transfer_out_amount_90d", "近90天转出金额", "Transfers out over 90 days",
                     "Sum of transfer debits in 90 days."),
        _kind_amount("repayment_amount_90d", "近90天还款金额", "Repayments over 90 days",
                     "Repayments in 90 days: repayment debits from any account plus repayment credits "
                     "to credit card accounts."),
        _kind_amount("interest_amount_90d", "近90天利息收入", "Interest over 90 days",
                     "Sum of interest credits in 90 days."),
        _kind_amount("fee_amount_90d", "近90天手续费", "Fees over 90 days", "Sum of fee debits in 90 days."),
        _f("salary_credits_90d", "integer", g, "近90天代发工资笔数", "Salary credits in 90 days", "count",
           "Salary credits (kind salary, direction in; 代发工资) in 90 days."),
        _kind_amount("salary_amount_90d", "近90天代发工资金额", "Salary over 90 days",
                     "Sum of salary credits in 90 days."),
        _f("large_transfer_out_other_bank_30d", "integer", g, "近30天大额他行转出笔数",
           "Large transfers to other banks in 30 days", "count",
           "Transfer debits of at least 50,000 CNY to a counterparty at another bank (bank named and "
           "not this bank) in 30 days: a sign of money leaving."),
        _kind_amount("large_transfer_out_other_bank_amount_30d", "近30天大额他行转出金额",
                     "Large transfers to other banks over 30 days",
                     "Sum of the transfers counted by large_transfer_out_other_bank_30d."),
        _kind_amount("transfer_out_other_bank_amount_30d", "近30天他行转出金额",
                     "Transfers to other banks over 30 days",
                     "Sum of transfer debits to a counterparty at another bank in 30 days, any size."),
        _kind_amount("max_txn_amount_90d", "近90天最大单笔交易", "Largest transaction in 90 days",
                     "Largest single transaction amount (either direction) in 90 days."),
    ]  # fmt: skip
    return out


def _channel() -> list[FeatureDef]:
    g = "channel"
    logins = [
        _f(
            f"app_logins_{d}d",
            "integer",
            g,
            f"近{d}天APP登录次数",
            f"App logins in {d} days",
            "count",
            f"Mobile-app login events in the {d} days ending on D.",
        )
        for d in (7, 30, 90)
    ]
    return logins + [
        _f("days_since_last_login", "integer", g, "距最近登录天数", "Days since last app login", "days",
           "D minus the day of the latest app login on or before D; NULL when never."),
        _f("product_views_30d", "integer", g, "近30天产品浏览次数", "Product page views in 30 days", "count",
           "App product-page views (event view_product) in 30 days."),
        _f("product_views_90d", "integer", g, "近90天产品浏览次数", "Product page views in 90 days", "count",
           "App product-page views in 90 days."),
        _f("investment_views_30d", "integer", g, "近30天投资产品浏览次数",
           "Investment product views in 30 days", "count",
           "App views of wealth, fund and insurance product pages in 30 days."),
        _f("app_searches_30d", "integer", g, "近30天APP搜索次数", "App searches in 30 days", "count",
           "App search events in 30 days."),
        _f("app_purchases_30d", "integer", g, "近30天APP购买次数", "App purchases in 30 days", "count",
           "App purchase events in 30 days."),
        _f("digital_txn_share_90d", "number", g, "近90天线上交易占比", "Digital share of transactions",
           "ratio", "Share of the 90-day transactions made on mobile or internet banking (MOB, NET); "
           "NULL without transactions."),
        _f("has_wecom", "boolean", g, "已添加企业微信", "WeCom contact", "",
           "True when the customer is a WeCom (企业微信) contact of the bank."),
    ]  # fmt: skip


def _lifecycle() -> list[FeatureDef]:
    g = "lifecycle"
    return [
        _f("tenure_days", "integer", g, "客户在行天数", "Tenure", "days",
           "D minus the customer's opening date (earliest relationship)."),
        _f("is_new_customer", "boolean", g, "新客户", "New customer", "", "True when tenure_days < 90."),
        _f("customer_status", "string", g, "客户状态", "Customer status", "",
           "Status in the core system: A active, D dormant, C closed (as last exported)."),
        _f("days_since_last_txn", "integer", g, "距最近交易天数", "Days since last transaction", "days",
           "D minus the day of the latest customer-initiated transaction on or before D; NULL when none."),
        _f("is_dormant", "boolean", g, "睡眠客户", "Dormant", "",
           "No customer-initiated transaction in the 180 days ending on D, for a customer of at least "
           "180 days' tenure (睡眠户)."),
    ]  # fmt: skip


def _value() -> list[FeatureDef]:
    g = "value"
    tie = (
        "Quintile score 5 (best) to 1 over all customers on D: score = 5 - floor(5 * (rank - 1) / "
        "customers), rank counted from the best value; equal values share the best rank among them, so "
        "ties get the same (higher) score."
    )
    return [
        _f("rfm_recency", "integer", g, "RFM最近交易得分", "RFM recency", "score",
           f"{tie} Value: days_since_last_txn, fewer is better; never is the worst."),
        _f("rfm_frequency", "integer", g, "RFM交易频度得分", "RFM frequency", "score",
           f"{tie} Value: txn_count_90d, more is better."),
        _f("rfm_monetary", "integer", g, "RFM资产价值得分", "RFM monetary", "score",
           f"{tie} Value: aum_mad (what the customer keeps with the bank), more is better."),
        _f("rfm_score", "integer", g, "RFM总分", "RFM score", "score",
           "rfm_recency + rfm_frequency + rfm_monetary (3-15)."),
        _f("aum_percentile", "number", g, "AUM百分位", "AUM percentile", "ratio",
           "Percent rank of aum_mad among all customers on D: (rank - 1) / (customers - 1), 0 to 1; "
           "equal values share the lowest rank."),
    ]  # fmt: skip


def _risk() -> list[FeatureDef]:
    g = "risk"
    return [
        _f("risk_level", "integer", g, "风险承受等级", "Risk tolerance", "level",
           "Risk tolerance C1-C5 as 1-5 from the latest assessment on or before D; NULL when none."),
        _f("risk_assessed_on", "date", g, "风险评估日期", "Risk assessment date", "",
           "Date of that assessment; NULL when none on or before D."),
        _f("risk_assessment_age_days", "integer", g, "风险评估距今天数", "Days since risk assessment", "days",
           "D minus risk_assessed_on."),
        _f("risk_assessment_expired", "boolean", g, "风险评估已过期", "Risk assessment expired", "",
           "True when the assessment is a year old or more on D (valid one year, DOMAIN.md §2); "
           "NULL when never assessed."),
        _f("is_senior", "boolean", g, "老年客户", "Senior (65+)", "",
           "Age 65 or more: sales need extra care (DOMAIN.md §2)."),
        _f("holds_above_risk_level", "boolean", g, "持有超风险等级产品",
           "Holds products above risk level", "",
           "max_product_risk > risk_level (a suitability mismatch); NULL when either is unknown."),
        _f("large_cash_txn_30d", "integer", g, "近30天大额现金交易笔数", "Large cash transactions in 30 days",
           "count", "Cash transactions of at least 50,000 CNY in 30 days (large-value report threshold, "
           "DOMAIN.md §4)."),
        _f("cross_border_txn_90d", "integer", g, "近90天跨境交易笔数", "Cross-border transactions in 90 days",
           "count", "Cross-border transactions in 90 days."),
    ]  # fmt: skip


CONSENT_CHANNELS: dict[str, tuple[str, str, str]] = {
    # feature suffix -> (consent.channel, zh, en)
    "sms": ("sms", "短信", "SMS"),
    "app": ("app_push", "APP推送", "app push"),
    "wecom": ("wecom", "企业微信", "WeCom"),
    "call": ("phone", "电话", "phone call"),
    "email": ("email", "邮件", "e-mail"),
}


def _consent() -> list[FeatureDef]:
    g = "consent"
    rule = (
        "the latest decision on or before D over all of the customer's source records wins (a refusal "
        "wins a tie); False when never asked (no consent, no contact)."
    )
    out = [
        _f(
            f"consent_marketing_{suffix}",
            "boolean",
            g,
            f"{zh}营销授权",
            f"Marketing consent: {en}",
            "",
            f"Consent to marketing on channel {channel}: {rule}",
        )
        for suffix, (channel, zh, en) in CONSENT_CHANNELS.items()
    ]
    out += [
        _f("marketing_channels_granted", "integer", g, "可营销渠道数", "Marketing channels granted", "count",
           "How many of the five marketing consents above are True."),
        _f("consent_profiling", "boolean", g, "画像分析授权", "Profiling consent", "",
           f"Consent to profiling, any channel: {rule}"),
        _f("consent_data_sharing", "boolean", g, "数据共享授权", "Data sharing consent", "",
           f"Consent to data sharing, any channel: {rule}"),
    ]  # fmt: skip
    return out


FEATURES: tuple[FeatureDef, ...] = tuple(
    _demographics()
    + _assets()
    + _liabilities()
    + _holdings()
    + _transactions()
    + _channel()
    + _lifecycle()
    + _value()
    + _risk()
    + _consent()
)

_BY_NAME = {f.name: f for f in FEATURES}


def feature(name: str) -> FeatureDef:
    """The catalog entry called ``name``; NotFound (with a suggestion) for an unknown name.

    >>> feature("aum_mad").name_zh
    '月日均AUM'
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        from difflib import get_close_matches

        close = get_close_matches(name, _BY_NAME, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise NotFound(f"unknown feature '{name}'{hint}") from None


def names() -> list[str]:
    return [f.name for f in FEATURES]

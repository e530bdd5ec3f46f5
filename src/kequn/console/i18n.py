"""Console text in zh-CN (default) and English. Keys are English phrases; missing keys fall back."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"

ZH = {
    "kequn": "客群经营平台",
    "Customers": "客户",
    "Search customers": "客户查询",
    "Customer id, phone, ID number or name": "客户号、手机号、证件号或姓名",
    "Search": "查询",
    "No customer found": "未找到客户",
    "Customer 360": "客户360视图",
    "Profile": "基本信息",
    "Name": "姓名",
    "Gender": "性别",
    "Birth date": "出生日期",
    "Phone": "手机号",
    "ID number": "证件号",
    "Email": "邮箱",
    "Address": "地址",
    "City": "城市",
    "Occupation": "职业",
    "Branch": "所属机构",
    "Relationship manager": "客户经理",
    "Risk level": "风险等级",
    "assessed": "评估日期",
    "Status": "状态",
    "AUM today": "当前AUM",
    "Monthly average daily AUM": "月日均AUM",
    "Liabilities": "负债",
    "AUM, last 90 days": "近90天AUM",
    "Holdings": "持有产品",
    "Account": "账户",
    "Product": "产品",
    "Category": "类别",
    "Risk rating": "产品风险",
    "Balance": "余额",
    "Maturity": "到期日",
    "Transactions": "交易概况",
    "Kind": "类型",
    "Direction": "方向",
    "Count 30d": "近30天笔数",
    "Amount 30d": "近30天金额",
    "Count 90d": "近90天笔数",
    "Amount 90d": "近90天金额",
    "Recent transactions": "最近交易",
    "Time": "时间",
    "Amount": "金额",
    "Channel": "渠道",
    "Counterparty": "交易对手",
    "Channels": "渠道与偏好",
    "App logins (30 days)": "近30天App登录",
    "Last login": "最近登录",
    "Product views (30 days)": "近30天产品浏览",
    "Consents": "授权",
    "Purpose": "用途",
    "Granted": "已授权",
    "Feedback": "客户反馈",
    "Score": "评分",
    "Linked source records": "关联源系统记录",
    "Source": "来源系统",
    "Source key": "源系统编号",
    "Rule": "匹配规则",
    "Match weight": "匹配权重",
    "Records": "记录数",
    "as of": "数据日期",
    "Personal data is masked.": "个人敏感信息已脱敏。",
    "Error": "错误",
    "Back to search": "返回查询",
    "in": "转入",
    "out": "转出",
    "Tier and tags": "客户分层与标签",
    "months below": "个月低于层级",
    "basis": "定级月日均",
    "normal": "正常",
    "watch": "关注",
    "rm": "客户经理管户",
    "digital": "数字化直营",
    # codes shown in tables
    "M": "男",
    "F": "女",
    "demand_deposit": "活期存款",
    "time_deposit": "定期存款",
    "wealth": "理财",
    "fund": "基金",
    "insurance": "保险",
    "loan": "贷款",
    "credit_card": "信用卡",
    "salary": "代发工资",
    "transfer": "转账",
    "purchase": "消费",
    "cash": "现金",
    "fee": "手续费",
    "interest": "利息",
    "repayment": "还款",
    "marketing": "营销",
    "profiling": "画像分析",
    "data_sharing": "数据共享",
}


def translator(lang: str):  # type: ignore[no-untyped-def]
    """A function ``t(text)`` for templates."""
    table = ZH if lang == "zh-CN" else {}
    return lambda text: table.get(text, text)


def pick_language(query_lang: str | None, cookie_lang: str | None) -> str:
    for lang in (query_lang, cookie_lang):
        if lang in LANGUAGES:
            return lang  # type: ignore[return-value]
    return DEFAULT

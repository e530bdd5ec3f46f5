"""Call-centre tickets (callcenter/feedback.csv) with Chinese text; complaints precede attrition."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import blank_where, concat, digits, fmt_times, pick
from kequn.demo.generator.context import DAY, BankContext
from kequn.demo.generator.people import People
from kequn.demo.generator.phones import formatted
from kequn.demo.generator.txns import times_of_day

# Texts use Chinese punctuation only, so the CSV never needs quoting.
COMPLAINTS = (
    "你们的账户管理费太不合理了，我卡里没多少钱还每个月扣费，要求退还",
    "跨行转账手续费怎么又涨了？其他银行都免费，再这样我就销户了",
    "今天在网点排队等了一个半小时，只开了两个窗口，太浪费时间了",
    "手机银行App又闪退了，转账转到一半就退出，钱到底转没转过去？",
    "App更新以后登录一直提示网络异常，客服电话也打不进来",
    "去年买的理财产品亏了百分之八，理财经理当时说是稳健型的，我要投诉",
    "基金净值一直在跌，客户经理根本不联系我，不知道该怎么办",
    "贷款申请提交快一个月了还没有审批结果，每次问都说在流程中",
    "经营贷审批被拒了也不告诉原因，材料都按要求交齐了",
    "信用卡额度申请提额被拒，我在你们行存款好几年了",
    "大额存单利率比别的银行低不少，到期后准备转走",
    "短信营销太多了，已经说过不要再发了还是一直收到",
    "柜员态度很差，问两句就不耐烦，体验很糟糕",
)
NEUTRAL = (
    "咨询一下大额存单的起存金额和利率",
    "想了解一下手机银行怎么修改预留手机号",
    "请问定期存款提前支取利息怎么算",
    "咨询信用卡账单分期的手续费",
    "我想预约网点办理大额取现，需要提前几天",
    "请问风险测评过期了在哪里重新做",
)
PRAISE = (
    "客户经理服务很专业，帮我做的资产配置很合理，表扬一下",
    "网点的大堂经理很耐心，帮我父母办好了手机银行，非常感谢",
    "手机银行新版界面很好用，转账速度也快",
    "理财经理每次都及时提醒产品到期，服务很周到",
    "客服处理问题效率很高，十分钟就解决了，满意",
)
CHANNELS = ("phone", "online", "wechat")


def feedback(ctx: BankContext, chunk: int, people: People, cust_no: pa.Array, first_id: int) -> pa.Table:
    """About 10% of customers call in; future churners complain far more often, shortly before leaving."""
    rng = ctx.rng("callcenter", chunk)
    n = len(people)
    calls = rng.poisson(np.where(people.churner, 0.9, 0.1))
    caller = np.repeat(np.arange(n), calls)
    m = len(caller)
    churner = people.churner[caller]
    kind = np.where(churner & (rng.random(m) < 0.8), 0, rng.choice(3, m, p=[0.35, 0.45, 0.2]))
    texts = COMPLAINTS + NEUTRAL + PRAISE
    offset = np.array([0, len(COMPLAINTS), len(COMPLAINTS) + len(NEUTRAL)])
    size = np.array([len(COMPLAINTS), len(NEUTRAL), len(PRAISE)])
    text = offset[kind] + (rng.random(m) * size[kind]).astype(np.int64)
    score = np.select(
        [kind == 0, kind == 1], [rng.integers(0, 6, m), rng.integers(5, 9, m)], rng.integers(8, 11, m)
    )
    u = rng.random(m)
    day = ctx.start + np.where(churner, (ctx.days * (1 - 0.5 * u)), ctx.days * u).astype(np.int64) * DAY
    unverified = rng.random(m) < 0.2
    return pa.table(
        {
            "ticket_id": concat("TK", digits(first_id + np.arange(m), 9)),
            "cust_no": blank_where(cust_no.take(pa.array(caller)), unverified),
            "caller_mobile": blank_where(formatted(rng, people.mobile[caller], 0.2), rng.random(m) < 0.1),
            "created_at": fmt_times(times_of_day(rng, np.minimum(day, ctx.end)), "%Y-%m-%d %H:%M:%S"),
            "channel": pick(CHANNELS, rng.choice(3, m, p=[0.6, 0.25, 0.15])),
            "content": pick(texts, text),
            "satisfaction": pa.array(score),
        }
    )

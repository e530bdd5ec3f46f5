"""A hand-made, tiny warehouse (two customers) for tests of the 360 view, API and console."""

from __future__ import annotations

from datetime import date

from kequn.engine import Engine

AS_OF = date(2026, 10, 31)

TABLES = {
    "org": "SELECT * FROM (VALUES ('H000','总行','head',NULL), ('B01S01','浦东支行','sub_branch','H000'))"
    " t(org_id, name, level, parent_id)",
    "staff": "SELECT * FROM (VALUES ('S001','李经理','B01S01','rm',80)) t(staff_id, name, org_id, role, max_book)",
    "person_record": "SELECT * FROM (VALUES"
    " ('core:C1','core','C1','张伟','M',DATE '1980-03-07','01','110101198003071234','13812345678',"
    "  'zw@example.com','上海市浦东新区世纪大道100号','上海','200120'),"
    " ('cards:K1','cards','K1','張偉','M',DATE '1980-03-07','01','110101198003071234','+86 138 1234 5678',"
    "  NULL,'上海市浦东新区世纪大道100号','上海','200120'),"
    " ('core:C2','core','C2','王芳','F',DATE '1990-01-02','01','310101199001021111','13900001111',"
    "  NULL,'上海市黄浦区南京东路1号','上海','200001'))"
    " t(record_id, source, source_key, name, gender, birth_date, id_type, id_no, phone, email, address,"
    " city, postcode)",
    "source_link": "SELECT * FROM (VALUES ('core','C1','K0000000001',1.0,'id_no',TIMESTAMP '2026-10-31 00:00:00'),"
    " ('cards','K1','K0000000001',1.0,'id_no',TIMESTAMP '2026-10-31 00:00:00'),"
    " ('core','C2','K0000000002',NULL,'singleton',TIMESTAMP '2026-10-31 00:00:00'))"
    " t(source, source_key, customer_id, match_weight, rule, linked_at)",
    "customer": "SELECT * FROM (VALUES"
    " ('K0000000001','person','张伟','M',DATE '1980-03-07','01','110101198003071234','13812345678',"
    "  'zw@example.com','上海市浦东新区世纪大道100号','上海','engineer',NULL,NULL,NULL,DATE '2015-01-01',"
    "  'B01S01','S001',3,DATE '2026-01-01','A',NULL,2),"
    " ('K0000000002','person','王芳','F',DATE '1990-01-02','01','310101199001021111','13900001111',NULL,"
    "  '上海市黄浦区南京东路1号','上海',NULL,NULL,NULL,NULL,DATE '2020-01-01','B01S01',NULL,NULL,NULL,'A',"
    "  NULL,1))"
    " t(customer_id, kind, name, gender, birth_date, id_type, id_no, phone, email, address, city, occupation,"
    " education, marital, income_band, opened_on, org_id, rm_id, risk_level, risk_assessed_on, status,"
    " wecom_id, record_count)",
    "product": "SELECT * FROM (VALUES ('P01','活期储蓄','demand_deposit',1,0,NULL,0.2),"
    " ('P02','信用卡','credit_card',1,0,NULL,0.0))"
    " t(product_id, name, category, risk_rating, min_amount, term_days, rate)",
    "account": "SELECT * FROM (VALUES"
    " ('6222000000000000001','core','C1','P01',DATE '2015-01-01',NULL,'N','CNY',NULL,NULL),"
    " ('6222000000000000002','cards','K1','P02',DATE '2018-01-01',NULL,'N','CNY',NULL,50000),"
    " ('6222000000000000003','core','C2','P01',DATE '2020-01-01',NULL,'N','CNY',NULL,NULL))"
    " t(account_id, party_source, party_key, product_id, opened_on, closed_on, status, currency,"
    " maturity_on, credit_limit)",
    # Customer 1: 10,000 from Oct 1, 40,000 from Oct 16 -> month-to-date average (15*10k+16*40k)/31.
    "balance": "SELECT * FROM (VALUES"
    " ('6222000000000000001',DATE '2026-09-01',10000.00),"
    " ('6222000000000000001',DATE '2026-10-16',40000.00),"
    " ('6222000000000000002',DATE '2026-10-01',1200.00),"
    " ('6222000000000000003',DATE '2026-09-01',500.00))"
    " t(account_id, day, balance)",
    "txn": "SELECT * FROM (VALUES"
    " ('T1','6222000000000000001',TIMESTAMP '2026-10-16 10:00:00',30000.00,'in','MOB','salary',NULL,'某公司',"
    "  NULL,false,'CNY'),"
    " ('T2','6222000000000000003',TIMESTAMP '2026-10-20 10:00:00',100.00,'out','POS','purchase',NULL,'超市',"
    "  NULL,false,'CNY'))"
    " t(txn_id, account_id, ts, amount, direction, channel, kind, counterparty_account, counterparty_name,"
    " counterparty_bank, cross_border, currency)",
    "app_event": "SELECT * FROM (VALUES ('E1','cards','K1','d1',TIMESTAMP '2026-10-30 08:00:00','login',"
    " 'home',NULL,NULL)) t(event_id, party_source, party_key, device_id, ts, name, page, product_id, props)",
    "consent": "SELECT * FROM (VALUES ('core','C1','marketing','sms',true,TIMESTAMP '2026-01-01 00:00:00','core'))"
    " t(party_source, party_key, purpose, channel, granted, updated_at, source)",
    "feedback": "SELECT * FROM (VALUES ('F1','core','C1',NULL,TIMESTAMP '2026-10-20 09:00:00','phone',"
    " '排队时间太长了',3)) t(feedback_id, party_source, party_key, phone, ts, channel, text, score)",
}


def build(engine: Engine, as_of: date = AS_OF) -> None:
    for name, sql in TABLES.items():
        engine.write_snapshot(name, as_of, sql)

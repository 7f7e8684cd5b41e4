"""A small key-accounts warehouse written from code, with known alerts (tests/test_accounts.py).

As of March 2025 (as-of date 2025-03-31), with the default thresholds:

* K1 (big, D1, F1) 1,000 -> 500 kWh against March 2024: ``consumption_drop`` -50 %; its
  anniversary (opened 2010-04-05) is in 5 days: ``anniversary``;
* K2 (big, D1, F1) dips every March (1,000 in February, ~400 in March) as it did last year: no
  consumption alert;
* K3 (big, D2, F2) 100 -> 250 kWh: ``consumption_jump`` +150 %; a complaint received
  2025-03-20 still open: ``complaint_open``, 11 days;
* K4 (big, D2, F2) billed 300 yuan a month from October 2024, never paid: ``arrears_age``,
  the October bill (due 2024-11-30) 121 days overdue; arrears 1,500 yuan (the five bills
  October-February are past due, the March bill is due only on 2025-04-30); a complaint of
  2025-03-28: only 4 days, no alert;
* F1 had a 60-minute unplanned outage on 2025-03-10: ``outage_hit`` for K1 and K2; F2's
  10-minute outage raises nothing;
* K5 (residential, D1) drops 80 % but is no key account until someone manages or watches it;
* K6 (commercial, D2, not big) is only a key account once assigned;
* contracts (extra column ``contract_end``): K3's ends 2025-04-20, in 20 days: ``contract_end``;
  K2's on 2025-06-30 is too far, K4's "soon" is no date.

Relations: K1 parent_of K2 and K5 (group K1), K3 pays_for K4 (no group), K6 self (rejected),
K9 unknown (rejected), "cousin_of" (rejected).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CUSTOMERS = """\
customer_id,name,customer_class,tariff,lon,lat,feeder_id,phone,id_number,address,opened_on,\
big_customer,contract_end
K1,通化甲钢铁有限公司,industrial,大工业两部制,125.50,42.00,F1,0435-1111111,,西区工业路1号,2010-04-05,true,
K2,通化乙制药有限公司,industrial,大工业两部制,125.52,42.02,F1,0435-2222222,,西区工业路2号,2011-06-01,true,2025-06-30
K3,东区丙商场,commercial,一般工商业,126.50,42.00,F2,0435-3333333,,东区商业街3号,2012-01-01,true,2025-04-20
K4,东区丁酒店,commercial,一般工商业,126.52,42.02,F2,0435-4444444,,东区商业街4号,2013-01-01,true,soon
K5,王小明,residential,居民阶梯,125.55,42.05,F1,13812345678,220502199001011234,西区幸福街5号,2014-01-01,false,
K6,东区戊便利店,commercial,一般工商业,126.55,42.05,F2,0435-6666666,,东区商业街6号,2015-01-01,false,
"""
FEEDERS = """feeder_id,substation_id,name,substation_name
F1,S1,西区1号线,西区变电站
F2,S2,东区2号线,东区变电站
"""
OUTAGES = """outage_id,feeder_id,start,end,cause,planned
O1,F1,2025-03-10T08:00:00,2025-03-10T09:00:00,equipment,false
O2,F2,2025-03-12T10:00:00,2025-03-12T10:10:00,weather,false
O3,F1,2025-02-01T08:00:00,2025-02-01T12:00:00,maintenance,true
"""
SERVICE = """service_id,customer_id,kind,opened_at,closed_at,status,channel,topic,note
S1,K3,complaint,2025-03-20T09:00:00,,open,phone,电压,电压不稳
S2,K4,complaint,2025-03-28T09:00:00,,open,phone,账单,账单有误
S3,K1,complaint,2025-03-01T09:00:00,2025-03-05T09:00:00,closed,phone,停电,停电
"""
PAYMENTS = """payment_id,customer_id,paid_at,amount,channel
P1,K1,2025-03-01T10:00:00,10.00,bank
"""
RELATIONS = """customer_id,related_id,kind
K1,K2,parent_of
K1,K5,parent_of
K3,K4,pays_for
K6,K6,same_owner
K9,K1,parent_of
K1,K3,cousin_of
"""
#: kWh per customer and month (amount empty unless given below)
KWH = {
    "K1": {"2024-03": 1000, "2025-02": 1000, "2025-03": 500},
    "K2": {"2024-02": 1000, "2024-03": 400, "2025-02": 1000, "2025-03": 420},
    "K3": {"2024-03": 100, "2025-03": 250},
    "K4": {"2024-10": 800, "2024-11": 800, "2024-12": 800, "2025-01": 800, "2025-02": 800,
           "2025-03": 800},
    "K5": {"2024-03": 200, "2025-03": 40},
    "K6": {"2024-03": 300, "2025-03": 310},
}
AMOUNT = {("K4", m): 300.0 for m in KWH["K4"]}


def write_input(folder: Path) -> Path:
    """Write the input folder (regions from examples/minimal); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "examples" / "minimal" / "regions.geojson", folder / "regions.geojson")
    for name, text in (("customers", CUSTOMERS), ("feeders", FEEDERS), ("outages", OUTAGES),
                       ("service_records", SERVICE), ("payments", PAYMENTS),
                       ("relations", RELATIONS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    rows = ["customer_id,month,kwh,amount"]
    for cid, months in KWH.items():
        for month, kwh in months.items():
            amount = AMOUNT.get((cid, month))
            rows.append(f"{cid},{month},{kwh},{'' if amount is None else amount}")
    (folder / "consumption.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder

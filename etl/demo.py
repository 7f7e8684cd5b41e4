"""Synthetic demo input for GCRM: the power-supply company of 通化市 (Tonghua, Jilin).

Everything this module writes is **synthetic**: names, phone numbers, ID numbers, addresses,
meters, bills, payments, outages and the population grid are drawn from random numbers with a
fixed seed. Only the district boundaries (``geodata/tonghua_regions.geojson``) and the rough
positions of district seats and towns are real; any likeness to a real person or company is a
coincidence. The ID numbers have valid GB 11643 check digits so that validation code can be
exercised, but they belong to nobody.

:func:`generate` writes the files of ``docs/input-contract.md`` into a folder; ``gcrm etl``
loads them. The same ``seed`` gives byte-identical files.

The model
---------
*Settlements.* Each district has a seat (a dense core plus a wider sprawl) and 2-7 towns
(WGS-84 coordinates; each is checked to lie inside its district polygon and nudged inward or
dropped otherwise), plus ~420 synthetic villages placed at random inside the districts.
Together they form a mixture of Gaussian blobs weighted by (rounded, approximate) population:
about 2.2 million residents. Customers are drawn from that mixture and rejection-sampled so
that every located customer lies inside its district polygon. The population grid
(``population.csv``, ~0.02° cells) integrates the very same mixture over each cell; it is a
synthetic grid, not census data.

*Customers.* Class mix ~85 % residential, 8 % commercial, 3 % industrial, 3 % agricultural,
1 % public (towns hold more business, villages more farming). Customer numbers are the
district code plus a 7-digit sequence in order of account opening (1995 .. end). About 0.3 %
are deliberately unlocated (empty, out-of-range or just-outside coordinates) and ~0.05 % are
planted duplicates (same name, phone and address under another number).

*Network.* 3-6 66 kV substations per district at the seat and the largest towns; 10 kV feeders
(one per ~700 customers, at least 40) radiate from them. A customer is fed by its nearest
substation, whatever the district, so some feeders cross district borders; the feeder is the
angular sector around the substation.

*Consumption* (kWh per customer-month) = base load (lognormal by class and segment) x
seasonal profile (northern winter heating for homes, an April-August irrigation peak for
farms, school holidays, the Spring Festival dip for industry, using the real festival dates)
x a slow growth trend x lognormal noise; the first month is pro-rated from ``opened_on``.
Peak / flat / valley split per class and tariff (industry uses more valley); the parts are in
tenths of a kWh and add up to ``kwh`` exactly.

*Tariffs* (approximations of Jilin prices, yuan/kWh; documented, not official):

==============  ==========================================================================
居民阶梯        0.525 up to 170 kWh/month, 0.575 for 171-260, 0.825 above 260
居民分时        flat 0.525, peak x1.5, valley x0.5
一般工商业      0.80
大工业两部制    energy flat 0.65 (peak x1.5, valley x0.5) + capacity 22 yuan per kVA-month
农业生产        0.50
==============  ==========================================================================

*Payments.* One payment per bill (except arrears), paid after the bill date (1st of the next
month); payments after the end of ``end_month`` are not yet made and are left out. Channels:
a customer pays at the counter or a bank until they go digital (online or app); the digital
share grows from ~30 % to ~60 % over two years, older and rural customers switch later.
Some pay by autodebit or prepay. ~5 % pay late and sometimes partially, ~1.5 % are chronic
arrears who skip bills and pay far less than billed.

*Outages* per feeder-year: 1-4 sustained unplanned (lognormal, median ~90 min, up to 24 h,
more thunderstorms in summer, some overnight), ~1.5 planned maintenance (weekday daytime,
2-8 h), 2-4 momentary (<= 5 min), plus one or two storm days on which most feeders of one
area fail.

*Service records.* Account-manager visits to big customers every 2-4 months, repair requests
and complaints after outages (in proportion to customers on the feeder and duration), and a
background of enquiries, connection requests and complaints.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely
from shapely.geometry import shape
from shapely.ops import nearest_points
from tqdm import tqdm

from etl.demo_revenue import RevenueDemo
from gcrm.config import GEODATA
from gcrm.vocab import CHANNELS, CUSTOMER_CLASSES

REGIONS_SOURCE = GEODATA / "tonghua_regions.geojson"

#: Above this many customers, consumption and payments are written as Parquet.
PARQUET_ABOVE = 200_000
#: Customers per chunk in the consumption / payments pass (bounds memory at any scale).
CHUNK = 50_000
#: Total residents of the synthetic population grid.
TOTAL_POPULATION = 2_200_000
KM_PER_DEG = 111.2
COS_LAT = float(np.cos(np.radians(42.0)))

# RNG stages: each part of the model draws from its own stream, so changing one part does not
# reshuffle the others.
(_S_PLACES, _S_CUSTOMERS, _S_NETWORK, _S_CONSUMPTION, _S_OUTAGES, _S_SERVICE, _S_POPULATION,
 _S_POINTS) = range(8)

# --------------------------------------------------------------------------- reference data
#: District seats: (district, seat name, short name, lon, lat, population, core sigma km).
SEATS = (
    ("220502", "东昌城区", "东昌", 125.94, 41.73, 330_000, 1.6),
    ("220503", "二道江城区", "二道江", 126.04, 41.78, 85_000, 1.2),
    ("220521", "快大茂镇", "快大茂", 125.75, 41.68, 95_000, 1.2),
    ("220523", "朝阳镇", "朝阳", 126.04, 42.68, 115_000, 1.3),
    ("220524", "柳河镇", "柳河", 125.74, 42.28, 140_000, 1.4),
    ("220581", "梅河口城区", "梅河口", 125.71, 42.53, 330_000, 1.7),
    ("220582", "集安城区", "集安", 126.19, 41.13, 85_000, 1.1),
)
#: Towns: (district, name, lon, lat, population). Positions approximate; checked at run time.
TOWNS = (
    ("220502", "金厂镇", 125.98, 41.62, 14_000),
    ("220502", "江东乡", 126.00, 41.70, 9_000),
    ("220503", "五道江镇", 126.00, 41.84, 11_000),
    ("220503", "鸭园镇", 126.15, 41.78, 12_000),
    ("220503", "铁厂镇", 126.10, 41.82, 9_000),
    ("220521", "二密镇", 125.55, 41.77, 12_000),
    ("220521", "西江镇", 125.48, 41.60, 8_000),
    ("220521", "英额布镇", 125.65, 41.52, 9_000),
    ("220521", "三棵榆树镇", 125.58, 41.63, 8_000),
    ("220521", "大安镇", 125.90, 41.95, 9_000),
    ("220521", "果松镇", 125.85, 41.45, 8_000),
    ("220523", "辉南镇", 126.08, 42.53, 12_000),
    ("220523", "样子哨镇", 126.22, 42.40, 13_000),
    ("220523", "杉松岗镇", 126.45, 42.47, 8_000),
    ("220523", "石道河镇", 126.26, 42.57, 8_000),
    ("220523", "金川镇", 126.35, 42.33, 9_000),
    ("220523", "抚民镇", 126.02, 42.76, 7_000),
    ("220524", "三源浦镇", 125.98, 42.16, 18_000),
    ("220524", "安口镇", 125.60, 42.07, 11_000),
    ("220524", "孤山子镇", 125.83, 42.05, 9_000),
    ("220524", "向阳镇", 125.90, 42.37, 7_000),
    ("220524", "圣水镇", 125.62, 42.14, 7_000),
    ("220524", "红石镇", 125.45, 42.12, 6_000),
    ("220581", "山城镇", 125.90, 42.48, 26_000),
    ("220581", "红梅镇", 125.63, 42.56, 15_000),
    ("220581", "康大营镇", 125.85, 42.66, 9_000),
    ("220581", "牛心顶镇", 125.68, 42.73, 8_000),
    ("220581", "杏岭镇", 125.80, 42.85, 7_000),
    ("220581", "黑山头镇", 125.56, 42.46, 7_000),
    ("220582", "清河镇", 125.92, 41.47, 10_000),
    ("220582", "花甸镇", 126.02, 41.34, 8_000),
    ("220582", "财源镇", 125.86, 41.32, 7_000),
    ("220582", "头道镇", 126.30, 41.30, 6_000),
    ("220582", "台上镇", 126.40, 41.32, 6_000),
    ("220582", "麻线乡", 126.07, 41.10, 5_000),
    ("220582", "青石镇", 125.85, 41.17, 6_000),
)
#: Rural population outside seats and towns, per district (spread over villages).
RURAL = {"220502": 40_000, "220503": 25_000, "220521": 80_000, "220523": 100_000,
         "220524": 140_000, "220581": 160_000, "220582": 90_000}
#: Substations per district (3-6).
SUBSTATIONS = {"220502": 5, "220503": 3, "220521": 4, "220523": 4, "220524": 5, "220581": 6,
               "220582": 4}
#: Place prefix of company names, per district.
COMPANY_PLACE = {"220502": "通化", "220503": "通化", "220521": "通化", "220523": "辉南",
                 "220524": "柳河", "220581": "梅河口", "220582": "集安"}
#: Subdistricts (街道) of the seats, used in addresses.
STREETS = {
    "220502": ("新站街道", "东昌街道", "老站街道", "团结街道", "民主街道", "光明街道", "龙泉街道"),
    "220503": ("桃园街道", "东通化街道", "二道江街道"),
    "220521": ("快大茂镇",),
    "220523": ("朝阳镇",),
    "220524": ("柳河镇",),
    "220581": ("新华街道", "和平街道", "福民街道", "解放街道", "海龙镇"),
    "220582": ("团结街道", "黎明街道", "通胜街道", "城东街道"),
}
#: A second business hall in the big seats: district -> area name.
SECOND_HALL = {"220502": "江南", "220581": "海龙"}
VILLAGES = 420
VILLAGE_A = ("头道", "二道", "三道", "四道", "大", "小", "东", "西", "南", "北", "前", "后", "上",
             "下", "新", "老", "太平", "永安", "兴隆", "长胜", "红旗", "胜利", "和平", "向阳",
             "团结", "东升", "石湖", "榆树", "杨木", "柳树", "梨树", "松林", "黄泥", "青山")
VILLAGE_B = ("沟", "岔", "甸子", "河", "岭", "屯", "堡", "营", "川", "岗", "泉", "湾", "台",
             "林", "顶子")
ROADS = ("建设大街", "新华大街", "人民大路", "胜利路", "光明路", "东昌路", "滨江路", "龙泉路",
         "民主街", "团结路", "江南大街", "青年路", "文化路", "站前街", "兴华路", "友谊路",
         "和平街", "长白路", "玉皇山路", "振兴街", "繁荣路", "育才路", "新开路", "健康路")
SURNAMES = ("王", "李", "张", "刘", "赵", "孙", "杨", "于", "高", "陈", "徐", "马", "吴", "周",
            "郭", "朱", "宋", "林", "孟", "曲", "邹", "姜", "董", "韩", "冯", "金", "崔", "朴",
            "黄", "胡", "田", "曹", "许", "何", "郑", "谢", "梁", "吕", "罗", "付")
SURNAME_W = (7.8, 7.5, 7.0, 5.8, 3.6, 3.4, 3.0, 2.6, 2.4, 2.4, 1.9, 1.8, 1.8, 1.7, 1.6, 1.5,
             1.4, 1.3, 1.2, 1.2, 1.0, 1.0, 1.0, 1.0, 0.9, 1.2, 0.8, 0.6, 0.9, 0.9, 0.9, 0.8,
             0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.6, 0.6)
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "春", "红", "凤", "德",
         "志", "国", "海", "建", "文", "东", "辉", "鹏", "宇", "浩", "欣", "晶", "莹", "雪", "梅",
         "淑", "玲", "颖", "博", "丹", "鑫", "佳", "晓", "亮", "成", "林", "波", "宏", "立", "喜",
         "福", "军", "彬", "岩", "爽", "微", "璐", "旭", "阳", "铁", "柱", "凯", "双", "贺")
BRAND = ("华", "鑫", "恒", "泰", "宏", "盛", "通", "达", "金", "源", "康", "隆", "兴", "裕", "丰",
         "瑞", "祥", "德", "嘉", "汇", "长", "东", "天", "宝", "润", "佳", "正", "信", "博", "远")
BANKS = ("中国银行", "中国农业银行", "中国工商银行", "中国建设银行", "中国邮政储蓄银行",
         "吉林银行", "农村信用社")
LANDMARKS = ("火车站", "人民广场", "万达广场", "中心医院", "政务大厅", "欧亚商场", "步行街")
MOBILE_PREFIXES = (130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155,
                   156, 157, 158, 159, 166, 176, 177, 180, 181, 182, 183, 184, 185, 186, 187,
                   188, 189, 198, 199)
#: Birthplace codes of account holders not born in their district (synthetic ID numbers).
OTHER_BIRTHPLACES = (220102, 220104, 220202, 220381, 220402, 220602, 222401, 210102, 230102,
                     130102)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = np.array(list("10X98765432"))
#: Spring Festival (lunar new year) dates: year -> (month, day).
SPRING_FESTIVAL = {
    2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19),
    2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12),
    2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6),
    2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31),
    2034: (2, 19), 2035: (2, 8),
}

CLASSES = CUSTOMER_CLASSES
RES, COM, IND, AGR, PUB = range(5)
#: Class probabilities in seats/towns and in villages (overall ~85/8/3/3/1).
CLASS_P_URBAN = np.array([0.842, 0.105, 0.037, 0.006, 0.010])
CLASS_P_RURAL = np.array([0.875, 0.030, 0.012, 0.073, 0.010])
#: Segments per class: (name, probability, base-load median kWh/month, lognormal sigma).
SEGMENTS = {
    COM: (("retail", 0.45, 1_500, 1.0), ("catering", 0.25, 3_000, 0.9),
          ("hotel", 0.10, 8_000, 1.0), ("office", 0.20, 2_500, 1.0)),
    IND: (("pharma", 0.20, 60_000, 1.1), ("metallurgy", 0.15, 120_000, 1.2),
          ("food", 0.25, 40_000, 1.1), ("wood", 0.15, 25_000, 1.0),
          ("building_materials", 0.15, 45_000, 1.1), ("mining", 0.10, 80_000, 1.1)),
    AGR: (("irrigation", 0.45, 1_200, 0.9), ("greenhouse", 0.20, 2_000, 0.8),
          ("livestock", 0.20, 1_500, 0.8), ("aquaculture", 0.15, 1_000, 0.8)),
    PUB: (("school", 0.35, 5_000, 0.8), ("hospital", 0.15, 25_000, 0.8),
          ("government", 0.30, 4_000, 0.8), ("water_utility", 0.10, 30_000, 0.7),
          ("community", 0.10, 800, 0.7)),
}
TARIFFS = ("居民阶梯", "居民分时", "一般工商业", "大工业两部制", "农业生产")
T_TIER, T_RES_TOU, T_GENERAL, T_LARGE, T_AGRI = range(5)
TRANSFORMER_KVA = np.array([315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000,
                            5000, 6300, 8000, 10000, 12500, 16000, 20000, 25000, 31500])

# Seasonal profiles (Jan..Dec multipliers).
P_RES, P_RES_HEAT, P_COM, P_IND, P_AGR_IRR, P_AGR_OTHER, P_SCHOOL, P_PUB = range(8)
SEASON = np.array([
    [1.30, 1.22, 1.05, 0.90, 0.85, 0.88, 1.02, 1.00, 0.86, 0.90, 1.08, 1.30],  # homes
    [2.30, 2.00, 1.45, 0.90, 0.70, 0.72, 0.85, 0.85, 0.72, 0.95, 1.60, 2.30],  # electric heating
    [1.10, 1.05, 0.98, 0.92, 0.92, 1.02, 1.15, 1.12, 0.95, 0.92, 0.98, 1.10],  # commercial
    [0.98, 1.00, 1.00, 1.00, 1.00, 1.00, 0.98, 0.98, 1.00, 1.02, 1.03, 1.03],  # industry
    [0.25, 0.25, 0.45, 1.20, 1.90, 2.00, 1.60, 1.30, 0.90, 0.70, 0.40, 0.25],  # irrigation
    [1.20, 1.15, 1.00, 0.95, 0.95, 0.95, 0.95, 0.95, 0.90, 0.95, 1.00, 1.20],  # farms, other
    [1.00, 0.45, 1.10, 1.00, 1.00, 1.00, 0.35, 0.40, 1.05, 1.00, 1.15, 1.25],  # schools
    [1.20, 1.10, 1.00, 0.92, 0.90, 0.95, 1.05, 1.05, 0.92, 0.95, 1.05, 1.20],  # public
])
#: Yearly growth of consumption per class.
GROWTH = np.array([0.03, 0.04, 0.02, 0.01, 0.02])
#: Month-to-month noise (lognormal sigma) per class.
NOISE = np.array([0.12, 0.14, 0.09, 0.20, 0.10])
#: Mean (peak, valley) shares per tariff; flat is the rest.
TOU_SHARES = {T_TIER: (0.38, 0.24), T_RES_TOU: (0.30, 0.36), T_GENERAL: (0.44, 0.16),
              T_LARGE: (0.33, 0.37), T_AGRI: (0.30, 0.32)}

CH_COUNTER, CH_BANK, CH_ONLINE, CH_APP, CH_AUTODEBIT, CH_PREPAID = range(6)
#: Payment behaviour.
PAY_NORMAL, PAY_LATE, PAY_ARREARS = range(3)

OUTAGE_CAUSES = ("weather", "equipment", "external_damage", "maintenance", "other")
O_WEATHER, O_EQUIPMENT, O_EXTERNAL, O_MAINTENANCE, O_OTHER = range(5)
#: Relative outage frequency by calendar month (summer thunderstorms, some winter icing).
OUTAGE_MONTH_W = np.array([0.7, 0.6, 0.7, 0.8, 1.0, 1.5, 2.2, 2.0, 1.0, 0.8, 0.8, 0.8])

#: Background service topics: (topic, kind, weight, residential weight factor, notes).
TOPICS = (
    ("电费咨询", "request", 30, 1.0,
     ("客户咨询本月电费构成，已解释阶梯电价", "客户询问电费偏高原因，已核对抄表数据")),
    ("电压不稳", "complaint", 8, 1.0,
     ("客户反映夜间电压偏低，已派员检测", "反映灯光闪烁，已调整变压器分接头")),
    ("业扩报装", "request", 6, 0.5,
     ("新装用电申请，已受理并安排勘查", "申请新装表计，资料齐全")),
    ("电表故障", "request", 7, 1.0,
     ("客户反映电表黑屏，已更换表计", "表计计量异常，已现场校验")),
    ("更名过户", "request", 6, 1.0,
     ("房屋买卖办理过户，已完成", "户主变更，资料已归档")),
    ("增容申请", "request", 3, 0.1,
     ("生产扩大申请增容，已出具供电方案", "申请变压器增容，待现场勘查")),
    ("充电桩报装", "request", 3, 1.0,
     ("小区车位申请充电桩，已受理", "新能源汽车充电桩报装，已装表")),
    ("账单争议", "complaint", 5, 1.0,
     ("对本月电量有异议，已复核并答复", "认为电费计算有误，已解释")),
    ("服务态度", "complaint", 2, 1.0,
     ("对营业厅服务不满，已回访致歉", "反映抢修人员态度，已处理")),
    ("缴费方式变更", "request", 6, 1.0,
     ("办理代扣协议", "改为网上国网缴费，已指导绑定")),
    ("欠费停复电", "request", 4, 1.0,
     ("缴清欠费后申请复电，已复电", "咨询欠费停电规定，已告知")),
)
OUTAGE_NOTES = ("客户报告停电，已派抢修", "整条街停电，抢修人员已到场", "反映停电时间过长",
                "停电影响生产，要求尽快恢复", "雷雨后停电，已恢复供电")
VISIT_TOPICS = (("大客户走访", 0.6, "客户经理例行走访，了解用电需求"),
                ("用电安全检查", 0.2, "检查配电室及安全用电情况，无异常"),
                ("能效诊断", 0.1, "开展能效诊断，建议错峰生产"),
                ("电费回收", 0.1, "沟通电费结算与缴费计划"))


@dataclass
class _Places:
    """Settlement mixture: one Gaussian component per row (lon, lat, sigma km, weight)."""

    lon: np.ndarray
    lat: np.ndarray
    sigma: np.ndarray
    weight: np.ndarray
    district: np.ndarray  # index into districts
    kind: np.ndarray  # 0 seat, 1 town, 2 village
    town: np.ndarray  # index of the settlement (seat/town) the component belongs to
    village: np.ndarray  # village name ("" unless a village)
    s_name: list[str]  # settlements (seats then towns): name
    s_short: list[str]
    s_district: np.ndarray
    s_lon: np.ndarray
    s_lat: np.ndarray
    s_pop: np.ndarray
    s_seat: np.ndarray  # bool


# --------------------------------------------------------------------------- public API
def generate(out_dir: Path, customers: int = 20_000, months: int = 24, seed: int = 42,
             end_month: str = "2026-10", progress: bool = True) -> dict[str, int]:
    """Write the demo input folder (files of docs/input-contract.md); return rows written per file.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if needed; existing demo files are overwritten).
    customers : int
        Number of customers (>= 1).
    months : int
        Number of consumption months (>= 1), ending at ``end_month``.
    seed : int
        Random seed; the same seed gives byte-identical files.
    end_month : str
        Last month, ``YYYY-MM``.
    progress : bool
        Show a progress bar per file.

    Returns
    -------
    dict
        File name -> rows written (features for ``regions.geojson``).

    Examples
    --------
    >>> counts = generate(Path("/tmp/demo"), customers=2000, months=12, progress=False)
    >>> counts["customers.csv"]
    2000
    """
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise ValueError(f"customers must be an integer >= 1 (got {customers!r})")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be an integer >= 1 (got {months!r})")
    if not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer (got {seed!r})")
    end = _parse_end_month(end_month)
    if customers > 9_999_999:
        raise ValueError(f"customers must be at most 9,999,999 (got {customers})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*"):  # a previous run may have used the other format
        if old.name.startswith(("consumption.", "payments.")):
            old.unlink()
    g = _Gen(out_dir, customers, months, int(seed) % 2**63, end, progress)
    counts = g.run()
    from etl.demo_accounts import write_relations  # its own random stream: files above unchanged

    return {**counts, **write_relations(out_dir, int(seed))}


def _parse_end_month(value: str) -> np.datetime64:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise ValueError(f"end_month must be YYYY-MM (got {value!r})")
    year = int(value[:4])
    if not 2000 <= year <= 2099:
        raise ValueError(f"end_month must be between 2000-01 and 2099-12 (got {value!r})")
    return np.datetime64(value, "M")


# --------------------------------------------------------------------------- helpers
def _rng(seed: int, stage: int, *extra: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stage, *extra]))


def _s(values) -> pa.Array:
    """A pyarrow string array from ints or strings."""
    arr = pa.array(values)
    return arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())


def _cat(*parts) -> pa.Array:
    """Element-wise concatenation of string arrays, int arrays and str scalars."""
    args = [pa.scalar(p) if isinstance(p, str) else
            (p if isinstance(p, pa.Array | pa.ChunkedArray) else _s(p)) for p in parts]
    return pc.binary_join_element_wise(*args, "")


def _pick(options, idx: np.ndarray) -> pa.Array:
    return pc.take(pa.array(list(options), pa.string()), pa.array(idx, pa.int64()))


def _pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_s(values), width=width, padding="0")


def _choice(rng: np.random.Generator, n: int, p) -> np.ndarray:
    p = np.asarray(p, float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (error < 1.5e-7); numpy has no erf and scipy is not needed."""
    s = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-x * x)
    return s * y


#: "0000".."9999" as 4 ASCII bytes each, viewed as uint32 for one-step lookups.
_QUAD = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode("ascii"),
                      np.uint8).view(np.uint32)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as an ASCII matrix (n, width)."""
    v = np.asarray(values, np.int64)
    groups = -(-width // 4)
    out = np.empty((v.size, groups), np.uint32)
    for g in range(groups - 1, -1, -1):
        if g:
            v, r = np.divmod(v, 10_000)
            out[:, g] = _QUAD[r]
        else:
            out[:, g] = _QUAD[v % 10_000]
    return out.view(np.uint8).reshape(v.size, 4 * groups)[:, 4 * groups - width:]


def _fixed(*parts: str | np.ndarray) -> pa.Array:
    """A string array from fixed-width ASCII parts: literals and (n, w) uint8 matrices.

    Builds the Arrow buffers directly: far faster than ``pc.strftime`` / ``utf8_lpad`` on
    the tens of millions of payment ids and timestamps of a large demo.
    """
    n = next(len(p) for p in parts if not isinstance(p, str))
    cols = [np.broadcast_to(np.frombuffer(p.encode("ascii"), np.uint8), (n, len(p)))
            if isinstance(p, str) else p for p in parts]
    data = np.ascontiguousarray(np.hstack(cols))
    width = data.shape[1]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets),
                                                       pa.py_buffer(data)]).cast(pa.string())


def _iso(seconds: np.ndarray) -> pa.Array:
    """ISO-8601 local datetimes 'YYYY-MM-DDTHH:MM:SS' from seconds since 1970 (naive)."""
    s = np.asarray(seconds, np.int64)
    if not s.size:
        return pa.array([], pa.string())
    days = s // 86_400
    sod = s - days * 86_400
    first = days.min()
    span = np.arange(first, days.max() + 1).astype("datetime64[D]")
    table = np.frombuffer(np.datetime_as_string(span).astype("S10").tobytes(),
                          np.uint8).reshape(-1, 10)
    return _fixed(table[days - first], "T", _digits(sod // 3600, 2), ":",
                  _digits(sod // 60 % 60, 2), ":", _digits(sod % 60, 2))


def _bar(desc: str, total: int, progress: bool, position: int | None = None) -> tqdm:
    return tqdm(total=total, desc=f"{desc:<22}", unit=" rows", disable=not progress,
                leave=True, dynamic_ncols=True, position=position)


class _Sink:
    """Writer of one file, CSV or Parquet, in chunks, with a progress bar.

    CSV: UTF-8, a plain header line, no quoting (no value needs it; pyarrow raises if one
    did), empty cells for missing values.
    """

    def __init__(self, path: Path, schema: pa.Schema, total: int, progress: bool,
                 position: int | None = None) -> None:
        self.path, self.rows = path, 0
        if path.suffix == ".parquet":
            self.fh = None
            # no dictionary for the unique columns: trying one costs time and saves nothing
            self.writer = pq.ParquetWriter(path, schema, compression="snappy", use_dictionary=[
                n for n in schema.names if n not in ("payment_id", "paid_at")])
        else:
            self.fh = path.open("wb")
            self.fh.write((",".join(schema.names) + "\n").encode("utf-8"))
            self.writer = pacsv.CSVWriter(self.fh, schema, write_options=pacsv.WriteOptions(
                include_header=False, quoting_style="none"))
        self.bar = _bar(path.name, total, progress, position)

    def write(self, table: pa.Table, done: int | None = None) -> None:
        for batch in table.to_batches(max_chunksize=200_000):
            self.writer.write_batch(batch)
        self.rows += table.num_rows
        self.bar.update(table.num_rows if done is None else done)

    def close(self) -> None:
        self.writer.close()
        if self.fh is not None:
            self.fh.close()
        self.bar.close()


def _write_csv(path: Path, table: pa.Table, progress: bool) -> int:
    sink = _Sink(path, table.schema, table.num_rows, progress)
    try:
        sink.write(table)
    finally:
        sink.close()
    return sink.rows


def _days(dt: np.ndarray) -> np.ndarray:
    return dt.astype("datetime64[D]").astype(np.int64)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    return (d.astype("datetime64[Y]").astype(np.int64) + 1970,
            m.astype(np.int64) % 12 + 1, (d - m).astype(np.int64) + 1)


def _id_check_digit(body17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters for 17-digit ID bodies given as int64."""
    digits = (body17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    return ID_CHECK[(digits @ ID_WEIGHTS) % 11]


# --------------------------------------------------------------------------- generator
class _Gen:
    def __init__(self, out: Path, n: int, months: int, seed: int, end: np.datetime64,
                 progress: bool) -> None:
        self.out, self.n, self.nm, self.seed, self.progress = out, n, months, seed, progress
        self.months = end - np.arange(months - 1, -1, -1)  # datetime64[M]
        self.month_str = [str(m) for m in self.months]
        self.day0 = int(_days(self.months[:1])[0])  # window start (days since 1970)
        self.cutoff = int(_days(np.array([end + 1]))[0])  # first day after the window
        self.fmt = "parquet" if n > PARQUET_ABOVE else "csv"
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        self._regions()
        self._places()
        self._service_points()
        self._customers()
        self._network()
        self._write_points_feeders()
        self._write_customers()
        self._facts()
        self._outages()
        self._service_records()
        self._population()
        self._revenue_files()
        order = ("regions.geojson", "service_points.csv", "feeders.csv", "customers.csv",
                 f"consumption.{self.fmt}", f"payments.{self.fmt}", "outages.csv",
                 "service_records.csv", "population.csv", "transformers.csv", "supply.csv",
                 "daily_reads.csv")
        return {k: self.counts[k] for k in order}

    # ------------------------------------------------------------------ regions
    def _regions(self) -> None:
        shutil.copyfile(REGIONS_SOURCE, self.out / "regions.geojson")
        data = json.loads(REGIONS_SOURCE.read_text(encoding="utf-8"))
        self.counts["regions.geojson"] = len(data["features"])
        feats = [f for f in data["features"] if f["properties"]["level"] == "district"]
        feats.sort(key=lambda f: f["properties"]["region_id"])
        self.d_id = [f["properties"]["region_id"] for f in feats]
        self.d_name = [f["properties"]["name"] for f in feats]
        self.d_poly = [shape(f["geometry"]) for f in feats]
        for p in self.d_poly:
            shapely.prepare(p)
        # ~1.5 km inside the border (simplified first: buffering the full outline is slow)
        self.d_inner = [p.simplify(0.003).buffer(-0.015) for p in self.d_poly]
        for p in self.d_inner:
            shapely.prepare(p)
        self.d_index = {d: i for i, d in enumerate(self.d_id)}
        city = [f for f in data["features"] if f["properties"]["level"] == "city"]
        self.all_area = shapely.union_all(
            self.d_poly + [shape(f["geometry"]) for f in city])
        shapely.prepare(self.all_area)

    def _inside(self, d: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Is point i inside district d[i]? (vectorised per district)"""
        ok = np.zeros(len(lon), bool)
        for k, poly in enumerate(self.d_poly):
            sel = np.flatnonzero(d == k)
            if sel.size:
                ok[sel] = shapely.contains_xy(poly, lon[sel], lat[sel])
        return ok

    def _nudge(self, k: int, lon: float, lat: float) -> tuple[float, float] | None:
        """Move a settlement into district k (>= ~1.5 km from its border) or drop it (None)."""
        poly, inner = self.d_poly[k], self.d_inner[k]
        pt = shapely.Point(lon, lat)
        if inner.contains(pt):
            return lon, lat
        if poly.distance(pt) > 0.12:
            return None
        q = nearest_points(inner, pt)[0]
        return q.x, q.y

    # ------------------------------------------------------------------ settlements
    def _places(self) -> None:
        rng = _rng(self.seed, _S_PLACES)
        s_name, s_short, s_d, s_lon, s_lat, s_pop, s_seat, s_sig = [], [], [], [], [], [], [], []
        for d, name, short, lon, lat, pop, sig in SEATS:
            k = self.d_index[d]
            lon, lat = self._nudge(k, lon, lat) or (lon, lat)
            s_name.append(name)
            s_short.append(short)
            s_d.append(k)
            s_lon.append(lon)
            s_lat.append(lat)
            s_pop.append(pop)
            s_seat.append(True)
            s_sig.append(sig)
        for d, name, lon, lat, pop in TOWNS:
            k = self.d_index[d]
            moved = self._nudge(k, lon, lat)
            if moved is None:
                continue
            s_name.append(name)
            s_short.append(name[:-1] if len(name) > 2 else name)
            s_d.append(k)
            s_lon.append(moved[0])
            s_lat.append(moved[1])
            s_pop.append(pop)
            s_seat.append(False)
            s_sig.append(0.5 + pop / 40_000)
        s_d, s_lon, s_lat = np.array(s_d), np.array(s_lon), np.array(s_lat)
        s_pop, s_seat, s_sig = np.array(s_pop, float), np.array(s_seat), np.array(s_sig)
        ns = len(s_name)
        # Villages: uniform inside each district (1.5 km from the border), count ~ rural pop.
        nd = len(self.d_id)
        rural = np.array([RURAL[d] for d in self.d_id], float)
        per = np.maximum(8, np.round(VILLAGES * rural / rural.sum())).astype(int)
        v_lon, v_lat, v_d = [], [], []
        for k in range(nd):
            inner = self.d_inner[k]
            x0, y0, x1, y1 = inner.bounds
            got_x, got_y = np.empty(0), np.empty(0)
            while got_x.size < per[k]:
                x = rng.uniform(x0, x1, 4 * per[k])
                y = rng.uniform(y0, y1, 4 * per[k])
                ok = shapely.contains_xy(inner, x, y)
                got_x, got_y = np.r_[got_x, x[ok]], np.r_[got_y, y[ok]]
            v_lon.append(got_x[:per[k]])
            v_lat.append(got_y[:per[k]])
            v_d.append(np.full(per[k], k))
        v_lon, v_lat, v_d = np.concatenate(v_lon), np.concatenate(v_lat), np.concatenate(v_d)
        nv = v_lon.size
        v_w = rng.lognormal(0, 0.5, nv)
        v_pop = v_w * rural[v_d] / np.bincount(v_d, weights=v_w, minlength=nd)[v_d]
        # nearest seat/town of the same district
        dist = ((v_lon[:, None] - s_lon[None]) * COS_LAT) ** 2 + (v_lat[:, None] - s_lat[None]) ** 2
        dist[v_d[:, None] != s_d[None]] = np.inf
        v_town = dist.argmin(1)
        v_name = pc.binary_join_element_wise(
            _pick(VILLAGE_A, rng.integers(0, len(VILLAGE_A), nv)),
            _pick(VILLAGE_B, rng.integers(0, len(VILLAGE_B), nv)), "").to_numpy(
            zero_copy_only=False)
        # Components: seat core + sprawl, town, village core + scatter.
        seat = np.flatnonzero(s_seat)
        town = np.flatnonzero(~s_seat)
        blank = np.full(ns, "", dtype=object)
        comps = [
            (s_lon[seat], s_lat[seat], s_sig[seat], 0.62 * s_pop[seat], s_d[seat], 0, seat,
             blank[seat]),
            (s_lon[seat], s_lat[seat], 2.8 * s_sig[seat], 0.38 * s_pop[seat], s_d[seat], 0, seat,
             blank[seat]),
            (s_lon[town], s_lat[town], s_sig[town], s_pop[town], s_d[town], 1, town, blank[town]),
            (v_lon, v_lat, np.full(nv, 0.5), 0.85 * v_pop, v_d, 2, v_town, v_name),
            (v_lon, v_lat, np.full(nv, 2.5), 0.15 * v_pop, v_d, 2, v_town, v_name),
        ]
        cat = [np.concatenate([np.broadcast_to(c[i], c[0].shape) for c in comps])
               for i in range(8)]
        self.pl = _Places(cat[0], cat[1], cat[2].astype(float), cat[3].astype(float),
                          cat[4].astype(int), cat[5].astype(int), cat[6].astype(int),
                          cat[7].astype(object), s_name, s_short, s_d, s_lon, s_lat, s_pop,
                          s_seat)

    # ------------------------------------------------------------------ service points
    def _service_points(self) -> None:
        rng = _rng(self.seed, _S_POINTS)
        pl = self.pl
        rows = []  # (id, name, kind, lon, lat, district, hours, counters)
        counts: dict[tuple[int, str], int] = {}

        def add(kind: str, code: str, name: str, s: int, spread_km: float, hours: str,
                counters: int) -> None:
            k = int(pl.s_district[s])
            lon, lat = pl.s_lon[s], pl.s_lat[s]
            for _ in range(20):
                x = lon + rng.normal(0, spread_km) / (KM_PER_DEG * COS_LAT)
                y = lat + rng.normal(0, spread_km) / KM_PER_DEG
                if shapely.contains_xy(self.d_poly[k], x, y):
                    lon, lat = x, y
                    break
            j = counts[(k, code)] = counts.get((k, code), 0) + 1
            rows.append((f"SP-{self.d_id[k]}-{code}{j:02d}", name, kind, round(float(lon), 6),
                         round(float(lat), 6), self.d_id[k], hours, counters))

        seats = np.flatnonzero(pl.s_seat)
        for s in seats:
            k = int(pl.s_district[s])
            dname = self.d_name[k]
            big = pl.s_pop[s] > 200_000
            add("business_hall", "H", f"{dname}营业厅", s, 0.4, "08:30-17:00",
                10 if big else 6)
            if self.d_id[k] in SECOND_HALL:
                add("business_hall", "H", f"{dname}{SECOND_HALL[self.d_id[k]]}营业厅", s, 2.0,
                    "08:30-17:00", 5)
            banks = rng.choice(len(BANKS) - 1, 2, replace=False)
            for b in banks:
                add("bank_agent", "B", f"{BANKS[b]}{pl.s_short[s]}代收点", s, 1.2,
                    "08:30-16:30", 2)
            marks = rng.choice(len(LANDMARKS), 2, replace=False)
            for m in marks:
                add("self_service", "S", f"{pl.s_short[s]}{LANDMARKS[m]}自助缴费终端", s, 1.5,
                    "00:00-24:00", 1)
        towns = np.flatnonzero(~pl.s_seat)
        for s in towns:
            b = rng.choice(len(BANKS), p=[0.12, 0.22, 0.08, 0.10, 0.23, 0.10, 0.15])
            add("bank_agent", "B", f"{BANKS[b]}{pl.s_short[s]}代收点", s, 0.3, "08:30-16:30", 1)
        big_towns = towns[np.argsort(-pl.s_pop[towns], kind="stable")[:6]]
        for s in big_towns:
            add("self_service", "S", f"{pl.s_name[s]}自助缴费终端", s, 0.3, "00:00-24:00", 1)
        cols = list(zip(*rows, strict=True))
        self.sp = pa.table({
            "service_point_id": pa.array(cols[0]), "name": pa.array(cols[1]),
            "kind": pa.array(cols[2]), "lon": pa.array(cols[3], pa.float64()),
            "lat": pa.array(cols[4], pa.float64()), "district_id": pa.array(cols[5]),
            "opening_hours": pa.array(cols[6]), "counters": pa.array(cols[7], pa.int32()),
        })
        kind = np.array(cols[2])
        self.sp_lon, self.sp_lat = np.array(cols[3]), np.array(cols[4])
        self.halls = np.flatnonzero(kind == "business_hall")
        self.bank_agents = np.flatnonzero(kind == "bank_agent")

    def _nearest(self, lon: np.ndarray, lat: np.ndarray, tx: np.ndarray, ty: np.ndarray,
                 d: np.ndarray | None = None, td: np.ndarray | None = None) -> np.ndarray:
        """Index of the nearest target (equirectangular), in chunks to bound memory.

        With districts ``d`` (points) and ``td`` (targets), targets in another district count
        as 3.5 times as far.
        """
        out = np.empty(len(lon), np.int64)
        step = max(1, 4_000_000 // max(1, len(tx)))
        for a in range(0, len(lon), step):
            dx = (lon[a:a + step, None] - tx[None]) * COS_LAT
            dy = lat[a:a + step, None] - ty[None]
            d2 = dx * dx + dy * dy
            if d is not None:
                d2[d[a:a + step, None] != td[None]] *= 3.5**2
            out[a:a + step] = d2.argmin(1)
        return out

    # ------------------------------------------------------------------ customers
    def _customers(self) -> None:
        rng = _rng(self.seed, _S_CUSTOMERS)
        pl, n = self.pl, self.n
        comp = _choice(rng, n, pl.weight)
        d = pl.district[comp]
        lon, lat = np.empty(n), np.empty(n)
        todo = np.arange(n)
        for _ in range(60):
            c = comp[todo]
            x = pl.lon[c] + rng.normal(0, 1, todo.size) * pl.sigma[c] / (KM_PER_DEG * COS_LAT)
            y = pl.lat[c] + rng.normal(0, 1, todo.size) * pl.sigma[c] / KM_PER_DEG
            ok = self._inside(d[todo], x, y)
            lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
            todo = todo[~ok]
            if not todo.size:
                break
        lon[todo], lat[todo] = pl.lon[comp[todo]], pl.lat[comp[todo]]  # centres are inside
        kind = pl.kind[comp]
        rural = kind == 2
        # opened_on: 1995-01-01 .. end, more recent accounts more likely.
        first = int(np.datetime64("1995-01-01", "D").astype(np.int64))
        span = self.cutoff - 1 - first
        opened = first + np.floor(rng.random(n) ** 0.8 * (span + 1)).astype(np.int64)
        # Sort customers by district and opening date: customer numbers follow that order.
        order = np.lexsort((opened, d))
        comp, d, lon, lat, kind, rural, opened = (a[order] for a in
                                                  (comp, d, lon, lat, kind, rural, opened))
        cls = np.where(rural, _choice(rng, n, CLASS_P_RURAL), _choice(rng, n, CLASS_P_URBAN))
        # Segment and base load.
        seg = np.empty(n, dtype=object)
        base = np.empty(n)
        res = cls == RES
        seg[res] = np.where(rural[res], "rural", "urban")
        base[res] = rng.lognormal(np.log(np.where(rural[res], 140.0, 175.0)), 0.45)
        vacant = res & (rng.random(n) < 0.03)
        base[vacant] *= 0.05
        heating = res & ~vacant & (rng.random(n) < np.where(rural, 0.12, 0.06))
        for c, segs in SEGMENTS.items():
            sel = np.flatnonzero(cls == c)
            j = _choice(rng, sel.size, [s[1] for s in segs])
            seg[sel] = np.array([s[0] for s in segs], dtype=object)[j]
            med = np.array([s[2] for s in segs], float)[j]
            sig = np.array([s[3] for s in segs], float)[j]
            base[sel] = rng.lognormal(np.log(med), sig)
        base[cls == IND] = base[cls == IND].clip(3_000, 3_000_000)
        # Tariff.
        tariff = np.full(n, T_GENERAL)
        tariff[res] = np.where(rng.random(res.sum()) < np.where(rural[res], 0.05, 0.12),
                               T_RES_TOU, T_TIER)
        tariff[(cls == IND) & (base >= 50_000)] = T_LARGE
        tariff[cls == AGR] = T_AGRI
        big = ((cls == IND) & (base >= 150_000)) | ((cls == COM) & (base >= 30_000))
        kva = TRANSFORMER_KVA[np.searchsorted(TRANSFORMER_KVA, base / (720 * 0.35)).clip(
            0, len(TRANSFORMER_KVA) - 1)]
        profile = np.select(
            [res & heating, res, cls == COM, cls == IND, (cls == AGR) & (seg == "irrigation"),
             cls == AGR, (cls == PUB) & (seg == "school")],
            [P_RES_HEAT, P_RES, P_COM, P_IND, P_AGR_IRR, P_AGR_OTHER, P_SCHOOL], P_PUB)
        # Customer numbers: district code + 7-digit sequence with small gaps (closed accounts).
        starts = np.r_[0, np.cumsum(np.bincount(d, minlength=len(self.d_id)))[:-1]]
        gaps = rng.geometric(0.7, n)
        seq = np.cumsum(gaps) - (np.cumsum(gaps)[starts[d]] - gaps[starts[d]])
        cid = _cat(_pick(self.d_id, d), _pad(seq, 7))
        # Birth dates (for residential ID numbers and payment habits).
        age_days = (rng.triangular(20, 56, 92, n) * 365.25).astype(np.int64)
        birth = np.minimum(self.cutoff - age_days, opened - 18 * 366)
        birth = np.maximum(birth, int(np.datetime64("1925-01-01", "D").astype(np.int64)))
        age = (self.cutoff - birth) / 365.25
        self.c = dict(comp=comp, d=d, lon=lon, lat=lat, kind=kind, rural=rural, opened=opened,
                      cls=cls, seg=seg, base=base, tariff=tariff, big=big, kva=kva,
                      profile=profile, age=age, id=cid, birth=birth, vacant=vacant)
        self._names(rng)
        self._contacts(rng)
        self._payment_habits(rng)

    def _names(self, rng: np.random.Generator) -> None:
        c, n, pl = self.c, self.n, self.pl
        names = np.empty(n, dtype=object)
        cls, seg, d = c["cls"], c["seg"], c["d"]
        comp = c["comp"]
        town = pl.town[comp]
        short = np.array(pl.s_short, dtype=object)[town]
        place = np.array([COMPANY_PLACE[x] for x in self.d_id], dtype=object)[d]
        village = pl.village[comp]
        dname = np.array(self.d_name, dtype=object)[d]

        def brand(m: int) -> pa.Array:
            return _cat(_pick(BRAND, rng.integers(0, len(BRAND), m)),
                        _pick(BRAND, rng.integers(0, len(BRAND), m)))

        def put(mask: np.ndarray, make) -> None:
            sel = np.flatnonzero(mask)
            if sel.size:
                names[sel] = make(sel).to_numpy(zero_copy_only=False)

        def person(sel: np.ndarray) -> pa.Array:
            m = sel.size
            sur = _pick(SURNAMES, _choice(rng, m, SURNAME_W))
            g1 = _pick(GIVEN, rng.integers(0, len(GIVEN), m))
            g2 = _pick(GIVEN, rng.integers(0, len(GIVEN), m))
            two = pa.array(rng.random(m) < 0.7)
            return _cat(sur, g1, pc.if_else(two, g2, pa.scalar("")))

        put(cls == RES, person)
        suffix = ("有限公司", "有限责任公司", "股份有限公司")
        industry = {"pharma": ("药业", "制药", "生物科技", "人参制品"),
                    "metallurgy": ("钢铁", "冶金", "铸造", "金属制品"),
                    "food": ("食品", "葡萄酒业", "酒业", "粮油"),
                    "wood": ("木业", "家具"), "building_materials": ("建材", "水泥", "石材"),
                    "mining": ("矿业", "石业")}
        for s, words in industry.items():
            put((cls == IND) & (seg == s), lambda sel, w=words: _cat(
                _s(place[sel]), brand(sel.size), _pick(w, rng.integers(0, len(w), sel.size)),
                _pick(suffix, rng.integers(0, 3, sel.size))))
        shops = {"retail": ("超市", "商店", "商贸有限公司", "便利店", "建材商店"),
                 "catering": ("饭店", "餐饮有限公司", "烧烤店", "冷面馆"),
                 "hotel": ("宾馆", "酒店有限公司", "旅馆"),
                 "office": ("物业管理有限公司", "大厦", "商务有限公司")}
        for s, words in shops.items():
            put((cls == COM) & (seg == s), lambda sel, w=words: _cat(
                pc.if_else(pa.array(rng.random(sel.size) < 0.5), _s(place[sel]),
                           _s(short[sel])),
                brand(sel.size), _pick(w, rng.integers(0, len(w), sel.size))))
        farm = {"irrigation": ("灌溉站", "排灌站"), "greenhouse": ("种植专业合作社", "蔬菜大棚"),
                "livestock": ("养殖场", "养殖专业合作社"), "aquaculture": ("水产养殖场",)}
        for s, words in farm.items():
            put((cls == AGR) & (seg == s), lambda sel, w=words: _cat(
                pc.if_else(pa.array(village[sel] != ""), _s(village[sel]),
                           _cat(_s(short[sel]), brand(sel.size))),
                _pick(w, rng.integers(0, len(w), sel.size))))
        put((cls == AGR) & (village != "") & (seg == "irrigation") & (rng.random(n) < 0.5),
            lambda sel: _cat(_s(village[sel]), "村委会"))
        pub = {"school": lambda sel: _cat(_s(short[sel]), _pick(
                   ("中心小学", "第一中学", "第二中学", "实验小学", "幼儿园", "职业中学"),
                   rng.integers(0, 6, sel.size))),
               "hospital": lambda sel: _cat(_s(short[sel]), _pick(
                   ("人民医院", "中医院", "卫生院", "妇幼保健院"), rng.integers(0, 4, sel.size))),
               "government": lambda sel: pc.if_else(
                   pa.array(rng.random(sel.size) < 0.5),
                   _cat(_s(dname[sel]), _pick(("财政局", "教育局", "公安局", "交通运输局",
                                               "市场监督管理局", "税务局"),
                                              rng.integers(0, 6, sel.size))),
                   _cat(_s(short[sel]), "人民政府")),
               "water_utility": lambda sel: _cat(_s(place[sel]), "自来水公司",
                                                 _s(short[sel]), "泵站"),
               "community": lambda sel: _cat(_s(short[sel]), _pick(
                   ("幸福", "和谐", "阳光", "建设", "民主"), rng.integers(0, 5, sel.size)),
                   "社区服务中心")}
        for s, make in pub.items():
            put((cls == PUB) & (seg == s), make)
        c["name"] = names

    def _contacts(self, rng: np.random.Generator) -> None:
        c, n, pl = self.c, self.n, self.pl
        cls, d, comp = c["cls"], c["d"], c["comp"]
        res = cls == RES
        # Phones: mobiles for people, landlines (0435 Tonghua / 0448 Meihekou) for half of firms.
        mobile = (np.array(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
                  .astype(np.int64) * 100_000_000 + rng.integers(0, 100_000_000, n))
        area = np.where(np.array(self.d_id)[d] == "220581", "0448-", "0435-")
        land = _cat(_s(area), _s(rng.integers(3_000_000, 5_000_000, n)))
        phone = pc.if_else(pa.array(~res & (rng.random(n) < 0.5)), land, _s(mobile))
        phone = pc.if_else(pa.array(rng.random(n) < 0.02), pa.scalar(None, pa.string()), phone)
        # ID numbers (residential only): birthplace, birth date, sequence, check digit.
        own = np.array([int(x) for x in self.d_id], np.int64)[d]
        other = np.array(OTHER_BIRTHPLACES, np.int64)[rng.integers(0, len(OTHER_BIRTHPLACES), n)]
        region = np.where(rng.random(n) < 0.85, own, other)
        y, m, dd = _ymd(c["birth"])
        body = region * 10**11 + (y * 10_000 + m * 100 + dd) * 1000 + rng.integers(0, 1000, n)
        idn = _cat(_s(body), _s(_id_check_digit(body)))
        idn = pc.if_else(pa.array(res), idn, pa.scalar(None, pa.string()))
        # Addresses.
        town = pl.town[comp]
        dname = _pick(self.d_name, d)
        seat = pl.kind[comp] == 0
        street_opts = [STREETS[x] for x in self.d_id]
        si = (rng.random(n) * np.array([len(s) for s in street_opts])[d]).astype(int)
        flat = np.array([s for opts in street_opts for s in opts], dtype=object)
        offs = np.r_[0, np.cumsum([len(s) for s in street_opts])[:-1]]
        street = np.where(seat, flat[offs[d] + si], np.array(pl.s_name, dtype=object)[town])
        road = _pick(ROADS, rng.integers(0, len(ROADS), n))
        urban = _cat(dname, _s(street), road, _s(rng.integers(1, 400, n)), "号",
                     _s(rng.integers(1, 30, n)), "号楼", _s(rng.integers(1, 7, n)), "单元",
                     _s(rng.integers(1, 19, n)), _pad(rng.integers(1, 5, n), 2), "室")
        village = pl.village[comp]
        rural = _cat(dname, _s(np.array(pl.s_name, dtype=object)[town]), _s(village), "村",
                     _s(rng.integers(1, 12, n)), "组", _s(rng.integers(1, 120, n)), "号")
        business = _cat(dname, _s(street), pc.if_else(
            pa.array(rng.random(n) < 0.3), pa.scalar("工业园区"), road),
            _s(rng.integers(1, 600, n)), "号")
        address = pc.if_else(pa.array(village != ""), rural, urban)
        address = pc.if_else(pa.array(~res & (cls != AGR)), business, address)
        c.update(phone=phone.to_numpy(zero_copy_only=False),
                 id_number=idn.to_numpy(zero_copy_only=False),
                 address=address.to_numpy(zero_copy_only=False))

    def _payment_habits(self, rng: np.random.Generator) -> None:
        c, n = self.c, self.n
        cls, rural = c["cls"], c["rural"]
        res = cls == RES
        p_res = np.where(rural[:, None], [[0.66, 0.14, 0, 0, 0.12, 0.08]],
                         [[0.50, 0.22, 0, 0, 0.18, 0.10]])
        p = np.where(res[:, None], p_res, [[0.25, 0.55, 0, 0, 0.20, 0.0]])
        u = rng.random(n)
        c["pay_pref"] = (u[:, None] > np.cumsum(p, 1)).sum(1).clip(0, 5)
        # Going digital: logit at end_month; older and rural customers later.
        age = np.where(res, c["age"], 45.0)
        c["pay_alpha"] = (2.6 + rng.normal(0, 1.6, n) - 0.04 * (age - 50) - 0.7 * rural
                          + 0.4 * ~res)
        c["pay_u"] = rng.random(n)
        c["pay_v"] = rng.random(n)
        beh = _choice(rng, n, [0.935, 0.05, 0.015])
        beh[~res & (beh == PAY_ARREARS) & (cls != COM)] = PAY_LATE
        c["pay_beh"] = beh

    # ------------------------------------------------------------------ network
    def _network(self) -> None:
        pl, c = self.pl, self.c
        subs = []  # (district k, settlement s, lon, lat, short, name)
        for k, d in enumerate(self.d_id):
            want = SUBSTATIONS[d]
            ss = np.flatnonzero(pl.s_district == k)
            seat = ss[pl.s_seat[ss]][0]
            towns = ss[~pl.s_seat[ss]]
            towns = towns[np.argsort(-pl.s_pop[towns], kind="stable")]
            n_seat = 3 if pl.s_pop[seat] > 200_000 else 2
            n_seat = max(n_seat, want - len(towns))
            places = [seat] * n_seat + list(towns[:want - n_seat])
            suffix = ("", "东", "西", "南", "北")
            for j, s in enumerate(places):
                lon, lat = pl.s_lon[s], pl.s_lat[s]
                if j and s == seat:
                    ang = 2 * np.pi * j / n_seat + 0.4
                    x = lon + 2.5 * np.cos(ang) / (KM_PER_DEG * COS_LAT)
                    y = lat + 2.5 * np.sin(ang) / KM_PER_DEG
                    if shapely.contains_xy(self.d_poly[k], x, y):
                        lon, lat = x, y
                short = pl.s_short[s] + (suffix[j] if s == seat else "")
                subs.append((k, s, float(lon), float(lat), short))
        ns = len(subs)
        s_k = np.array([s[0] for s in subs])
        s_lon = np.array([s[2] for s in subs])
        s_lat = np.array([s[3] for s in subs])
        num: dict[int, int] = {}
        s_id = []
        for s in subs:  # numbered within their district
            num[s[0]] = num.get(s[0], 0) + 1
            s_id.append(f"S-{self.d_id[s[0]]}-{num[s[0]]:02d}")
        s_name = [f"{s[4]}66kV变电站" for s in subs]
        # Nearest substation; one in another district only when it is much nearer (a few
        # feeders then cross district borders, as they do in reality).
        sub = self._nearest(c["lon"], c["lat"], s_lon, s_lat, c["d"], s_k)
        per_sub = np.bincount(sub, minlength=ns)
        n_feeders = max(40, -(-self.n // 700), ns)
        extra = (n_feeders - ns) * per_sub / max(1, per_sub.sum())
        alloc = 1 + np.floor(extra).astype(int)
        rest = n_feeders - alloc.sum()
        if rest > 0:
            alloc[np.argsort(-(extra - np.floor(extra)), kind="stable")[:rest]] += 1
        # Feeder = angular sector around the substation with equal customer counts.
        ang = np.arctan2(c["lat"] - s_lat[sub], (c["lon"] - s_lon[sub]) * COS_LAT)
        order = np.lexsort((ang, sub))
        rank = np.empty(self.n, np.int64)
        first = np.r_[0, np.cumsum(per_sub)[:-1]]
        rank[order] = np.arange(self.n) - first[sub[order]]
        f_off = np.r_[0, np.cumsum(alloc)[:-1]]
        feeder = f_off[sub] + (rank * alloc[sub]) // np.maximum(per_sub[sub], 1)
        # Feeder table
        f_sub = np.repeat(np.arange(ns), alloc)
        f_local = np.arange(n_feeders) - f_off[f_sub] + 1
        dnum = {}
        f_id, f_name = [], []
        for j in range(n_feeders):
            d = self.d_id[s_k[f_sub[j]]]
            dnum[d] = dnum.get(d, 0) + 1
            f_id.append(f"F-{d}-{dnum[d]:03d}")
            f_name.append(f"{subs[f_sub[j]][4]}10kV {f_local[j]}号线")
        rural_share = (np.bincount(feeder, weights=c["rural"], minlength=n_feeders)
                       / np.maximum(1, np.bincount(feeder, minlength=n_feeders)))
        self.f = dict(id=f_id, name=f_name, sub=f_sub, n=n_feeders,
                      customers=np.bincount(feeder, minlength=n_feeders),
                      rural=rural_share > 0.5, lon=s_lon[f_sub], lat=s_lat[f_sub])
        self.s = dict(id=s_id, name=s_name, lon=s_lon, lat=s_lat)
        c["feeder"] = feeder
        c["hall"] = self.halls[self._nearest(c["lon"], c["lat"], self.sp_lon[self.halls],
                                             self.sp_lat[self.halls])]
        c["bank"] = self.bank_agents[self._nearest(
            c["lon"], c["lat"], self.sp_lon[self.bank_agents], self.sp_lat[self.bank_agents])]

    def _write_points_feeders(self) -> None:
        self.counts["service_points.csv"] = _write_csv(self.out / "service_points.csv", self.sp,
                                                       self.progress)
        f, s = self.f, self.s
        table = pa.table({
            "feeder_id": pa.array(f["id"]), "name": pa.array(f["name"]),
            "substation_id": pc.take(pa.array(s["id"]), pa.array(f["sub"])),
            "substation_name": pc.take(pa.array(s["name"]), pa.array(f["sub"])),
            "lon": pa.array(np.round(f["lon"], 6)), "lat": pa.array(np.round(f["lat"], 6)),
        })
        self.counts["feeders.csv"] = _write_csv(self.out / "feeders.csv", table, self.progress)

    # ------------------------------------------------------------------ customers.csv
    def _write_customers(self) -> None:
        rng = _rng(self.seed, _S_CUSTOMERS, 1)
        c, n = self.c, self.n
        lon, lat = np.round(c["lon"], 6), np.round(c["lat"], 6)
        # Deliberately unlocated: empty, out-of-range and just-outside coordinates.
        k = round(n * 0.003) if n >= 100 else 0
        bad = rng.choice(n, k, replace=False) if k else np.empty(0, np.int64)
        kinds = np.arange(k) % 3
        lon_out, lat_out = lon.copy(), lat.copy()
        e = bad[kinds == 0]
        lon_out[e], lat_out[e] = np.nan, np.nan
        r = bad[kinds == 1]
        swap = rng.random(r.size) < 0.5
        lat_out[r] = np.where(swap, lon[r], lat[r] + 200.0)  # swapped, or a typo "241.7"
        lon_out[r] = np.where(swap, lat[r], lon[r])
        o = bad[kinds == 2]
        lon_out[o], lat_out[o] = self._outside_points(rng, o.size)
        self.unlocated = bad
        # Planted duplicates: same name, phone and address (and ID) under another number.
        name, phone, addr, idn = (c["name"].copy(), c["phone"].copy(), c["address"].copy(),
                                  c["id_number"].copy())
        feeder, hall = c["feeder"].copy(), c["hall"].copy()
        res = np.flatnonzero((c["cls"] == RES) & ~np.isin(np.arange(n), bad))
        kd = round(n * 0.0005) if n >= 1000 else 0
        if kd and res.size >= 2 * kd:
            pick = rng.choice(res, 2 * kd, replace=False)
            src, dst = pick[:kd], pick[kd:]
            name[dst], phone[dst], addr[dst], idn[dst] = name[src], phone[src], addr[src], idn[src]
            lon_out[dst], lat_out[dst] = lon_out[src], lat_out[src]
            feeder[dst], hall[dst] = feeder[src], hall[src]  # same premises, same supply
            c["feeder"], c["hall"] = feeder, hall
            self.f["customers"] = np.bincount(feeder, minlength=self.f["n"])
        self.duplicates = kd
        op_month = c["opened"].astype("datetime64[D]").astype("datetime64[M]")
        self.rev = RevenueDemo(self.seed, self.months, c["lon"], c["lat"], feeder, self.f["id"],
                               self.f["name"], c["cls"], c["tariff"], c["base"], c["big"],
                               c["rural"], (op_month - self.months[0]).astype(np.int64))
        table = pa.table({
            "customer_id": c["id"],
            "name": pa.array(name, pa.string()),
            "customer_class": _pick(CLASSES, c["cls"]),
            "segment": pa.array(c["seg"], pa.string()),
            "tariff": _pick(TARIFFS, c["tariff"]),
            "lon": pa.array(lon_out, mask=np.isnan(lon_out)),
            "lat": pa.array(lat_out, mask=np.isnan(lat_out)),
            "feeder_id": _pick(self.f["id"], feeder),
            "phone": pa.array(phone, pa.string()),
            "id_number": pa.array(idn, pa.string()),
            "address": pa.array(addr, pa.string()),
            "opened_on": pa.array(c["opened"].astype("datetime64[D]")),
            "big_customer": pa.array(c["big"]),
            "service_point_id": pc.take(self.sp["service_point_id"], pa.array(hall)),
            "transformer_id": self.rev.customer_column(),
        })
        self.counts["customers.csv"] = _write_csv(self.out / "customers.csv", table,
                                                  self.progress)

    def _outside_points(self, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Points 1-3 km outside the outer boundary of the districts (and of the city)."""
        if not k:
            return np.empty(0), np.empty(0)
        hull = max(shapely.get_parts(self.all_area), key=lambda p: p.area)
        ring = hull.exterior
        cx, cy = hull.centroid.x, hull.centroid.y
        near = self.all_area.simplify(0.001).buffer(0.005)
        shapely.prepare(near)
        xs, ys = [], []
        while sum(len(x) for x in xs) < k:
            pts = shapely.line_interpolate_point(ring, rng.random(3 * k + 20), normalized=True)
            x, y = shapely.get_x(pts), shapely.get_y(pts)
            vx, vy = (x - cx) * COS_LAT, y - cy
            norm = np.hypot(vx, vy)
            step = rng.uniform(1.0, 3.0, x.size) / KM_PER_DEG
            x, y = x + vx / norm * step / COS_LAT, y + vy / norm * step
            far = ~shapely.contains_xy(near, x, y)
            xs.append(x[far])
            ys.append(y[far])
        return np.round(np.concatenate(xs)[:k], 6), np.round(np.concatenate(ys)[:k], 6)

    # ------------------------------------------------------------------ consumption + payments
    def _facts(self) -> None:
        c, n, nm = self.c, self.n, self.nm
        months = self.months
        cal = months.astype(np.int64) % 12
        years_rel = (months - months[-1]).astype(np.int64) / 12.0
        m_start = _days(months)
        next_start = _days(months + 1)
        m_len = next_start - m_start
        sf = self._festival_factor()
        opened = c["opened"]
        op_month = opened.astype("datetime64[D]").astype("datetime64[M]")
        first_idx = (op_month - months[0]).astype(np.int64)
        day_of = _ymd(opened)[2]
        ids = c["id"]
        month_arr = pa.array(self.month_str)
        cons_schema = pa.schema([("customer_id", pa.string()), ("month", pa.string()),
                                 ("kwh", pa.float64()), ("peak_kwh", pa.float64()),
                                 ("flat_kwh", pa.float64()), ("valley_kwh", pa.float64()),
                                 ("amount", pa.float64())])
        pay_schema = pa.schema([("payment_id", pa.string()), ("customer_id", pa.string()),
                                ("paid_at", pa.string()), ("amount", pa.float64()),
                                ("channel", pa.string()), ("service_point_id", pa.string())])
        expected = int(np.clip(nm - first_idx, 0, nm).sum())
        # One pass writes both files (payments need the bills), so two bars run together.
        cons = _Sink(self.out / f"consumption.{self.fmt}", cons_schema, expected, self.progress,
                     position=0)
        pays = _Sink(self.out / f"payments.{self.fmt}", pay_schema, expected, self.progress,
                     position=1)
        # outstanding receivables per customer, used by service records
        self.arrears = np.zeros(n)
        pay_seq = 0
        try:
            for chunk, a in enumerate(range(0, n, CHUNK)):
                b = min(n, a + CHUNK)
                rng = _rng(self.seed, _S_CONSUMPTION, chunk)
                sl = slice(a, b)
                m = b - a
                cls = c["cls"][sl]
                tariff = c["tariff"][sl]
                growth = GROWTH[cls] + rng.normal(0, 0.02, m)
                kwh = (c["base"][sl, None] * SEASON[c["profile"][sl]][:, cal]
                       * np.exp(growth[:, None] * years_rel[None]
                                + rng.normal(0, 1, (m, nm)) * NOISE[cls][:, None]))
                ind = cls == IND
                kwh[ind] *= sf[None]
                fi = first_idx[sl]
                active = np.arange(nm)[None] >= fi[:, None]
                part = (fi >= 0) & (fi < nm)
                rows = np.flatnonzero(part)
                frac = (m_len[fi[rows]] - day_of[sl][rows] + 1) / m_len[fi[rows]]
                kwh[rows, fi[rows]] *= frac
                kwh = self.rev.bill(a, kwh, active)  # theft, move-outs, ... (demo_revenue)
                ci, mi = np.nonzero(active)
                tenths = np.rint(kwh[ci, mi] * 10).astype(np.int64)
                ps0 = np.array([TOU_SHARES[t][0] for t in range(5)])[tariff]
                vs0 = np.array([TOU_SHARES[t][1] for t in range(5)])[tariff]
                ps_c = (ps0 + rng.normal(0, 0.03, m)).clip(0.1, 0.6)
                vs_c = (vs0 + rng.normal(0, 0.03, m)).clip(0.05, 0.6)
                ps = (ps_c[ci] + rng.normal(0, 0.01, ci.size)).clip(0.05, 0.6)
                vs = (vs_c[ci] + rng.normal(0, 0.01, ci.size)).clip(0.03, 0.6)
                peak = np.floor(tenths * ps).astype(np.int64)
                valley = np.floor(tenths * vs).astype(np.int64)
                flat = tenths - peak - valley
                amount = self._amount(tariff[ci], tenths, peak, flat, valley,
                                      c["kva"][sl][ci], np.where(mi == fi[ci], 0.0, 1.0))
                table = pa.table({
                    "customer_id": pc.take(ids, pa.array(a + ci)),
                    "month": pc.take(month_arr, pa.array(mi)),
                    "kwh": tenths / 10, "peak_kwh": peak / 10, "flat_kwh": flat / 10,
                    "valley_kwh": valley / 10, "amount": amount,
                }, schema=cons_schema)
                cons.write(table, ci.size)
                ptable, owed = self._payments(rng, a, m, ci, mi, amount, next_start, years_rel,
                                              pay_seq)
                pay_seq += ptable.num_rows
                pays.write(ptable.cast(pay_schema), ci.size)
                self.arrears[sl] = owed
        finally:
            cons.close()
            pays.close()
        self.counts[cons.path.name] = cons.rows
        self.counts[pays.path.name] = pays.rows

    def _festival_factor(self) -> np.ndarray:
        """Industrial output factor per window month: the Spring Festival holiday dip."""
        out = np.ones(self.nm)
        years = self.months.astype("datetime64[Y]").astype(np.int64) + 1970
        mon = self.months.astype(np.int64) % 12 + 1
        for i, (y, mo) in enumerate(zip(years, mon, strict=True)):
            fm, fd = SPRING_FESTIVAL.get(int(y), (2, 5))
            if mo == fm:
                out[i] = 0.70
            elif mo == fm + 1 and fd >= 15:
                out[i] = 0.88
            elif mo == fm - 1 and fd <= 10:
                out[i] = 0.90
        return out

    @staticmethod
    def _amount(tariff: np.ndarray, tenths: np.ndarray, peak: np.ndarray, flat: np.ndarray,
                valley: np.ndarray, kva: np.ndarray, full_month: np.ndarray) -> np.ndarray:
        kwh = tenths / 10
        tou = (1.5 * peak + flat + 0.5 * valley) / 10
        tier = (0.525 * np.minimum(kwh, 170) + 0.575 * np.clip(kwh - 170, 0, 90)
                + 0.825 * np.maximum(kwh - 260, 0))
        amount = np.select(
            [tariff == T_TIER, tariff == T_RES_TOU, tariff == T_LARGE, tariff == T_AGRI],
            [tier, 0.525 * tou, 0.65 * tou + 22.0 * kva * (0.5 + 0.5 * full_month),
             0.50 * kwh], 0.80 * kwh)
        return np.round(amount, 2)

    def _payments(self, rng: np.random.Generator, a: int, m: int, ci: np.ndarray,
                  mi: np.ndarray, amount: np.ndarray, next_start: np.ndarray,
                  years_rel: np.ndarray, seq0: int) -> tuple[pa.Table, np.ndarray]:
        """Payments of one chunk's bills, and what each customer still owes."""
        c = self.c
        g = a + ci
        nb = ci.size
        beh = c["pay_beh"][g]
        bill_day = next_start[mi]  # bills are issued on the 1st of the next month
        # Paid fraction and delay (days after the bill date).
        frac = np.ones(nb)
        delay = np.minimum(rng.gamma(1.6, 6.0, nb), 29.0) + rng.uniform(1, 4, nb)
        late = (beh == PAY_LATE) & (rng.random(nb) < 0.5)
        delay[late] = rng.uniform(32, 100, late.sum())
        partial = late & (rng.random(nb) < 0.3)
        frac[partial] = rng.uniform(0.4, 0.9, partial.sum())
        arrears = beh == PAY_ARREARS
        frac[arrears] = rng.uniform(0.05, 0.55, arrears.sum())
        delay[arrears] = rng.uniform(20, 150, arrears.sum())
        skip = arrears & (rng.random(nb) < 0.45)
        # Channel: digital once the customer's adoption curve passes their threshold.
        pref = c["pay_pref"][g]
        p_dig = 1 / (1 + np.exp(-(c["pay_alpha"][g] + 1.15 * years_rel[mi])))
        digital = ((pref == CH_COUNTER) | (pref == CH_BANK)) & (c["pay_u"][g] < p_dig)
        p_app = 1 / (1 + np.exp(-(0.4 + 1.0 * years_rel[mi])))
        channel = np.where(digital, np.where(c["pay_v"][g] < p_app, CH_APP, CH_ONLINE), pref)
        auto = channel == CH_AUTODEBIT
        delay[auto & ~late & ~arrears] = 7.0
        prepaid = (channel == CH_PREPAID) & (beh == PAY_NORMAL)
        delay[prepaid] = -rng.uniform(3, 27, prepaid.sum())  # recharge during the month
        pay_amt = np.round(amount * frac, 2)
        pay_amt[prepaid] = np.ceil(amount[prepaid] / 50) * 50
        # Time of day.
        counter = (channel == CH_COUNTER) | (channel == CH_BANK)
        hour = np.where(counter, rng.uniform(8.5, 17.0, nb),
                        np.clip(rng.normal(15.5, 4.5, nb), 6.0, 23.98))
        hour[auto] = rng.uniform(2, 5, auto.sum())
        day = bill_day + np.floor(delay).astype(np.int64)
        secs = day * 86400 + (hour * 3600).astype(np.int64)
        keep = ~skip & (day < self.cutoff) & (amount > 0)
        sp = np.where(channel == CH_COUNTER, c["hall"][g],
                      np.where(channel == CH_BANK, c["bank"][g], -1))
        owed = np.bincount(ci, weights=amount - np.where(keep, pay_amt, 0.0), minlength=m)
        k = np.flatnonzero(keep)
        table = pa.table({
            "payment_id": _fixed("P", _digits(np.arange(seq0 + 1, seq0 + k.size + 1), 10)),
            "customer_id": pc.take(c["id"], pa.array(g[k])),
            "paid_at": _iso(secs[k]),
            "amount": pay_amt[k],
            "channel": _pick(CHANNELS, channel[k]),
            "service_point_id": pc.take(self.sp["service_point_id"],
                                        pa.array(sp[k], mask=sp[k] < 0)),
        })
        return table, owed

    # ------------------------------------------------------------------ outages
    def _outages(self) -> None:
        rng = _rng(self.seed, _S_OUTAGES)
        f = self.f
        nf = f["n"]
        n_days = self.cutoff - self.day0
        years = n_days / 365.25
        day_cal = (np.arange(self.day0, self.cutoff).astype("datetime64[D]")
                   .astype("datetime64[M]").astype(np.int64) % 12)
        weekday = (np.arange(self.day0, self.cutoff) + 3) % 7  # 0 = Monday
        rural = f["rural"]
        lam_u = rng.gamma(3.0, np.where(rural, 1.0, 0.55))  # ~1.6 urban, 3 rural per year
        lam_m = rng.gamma(2.0, np.where(rural, 1.8, 1.1))
        lam_p = rng.gamma(4.0, np.where(rural, 0.45, 0.3))
        parts = []

        def days_weighted(k: int, w: np.ndarray) -> np.ndarray:
            return self.day0 + _choice(rng, k, w)

        # sustained unplanned
        cnt = rng.poisson(lam_u * years)
        fe = np.repeat(np.arange(nf), cnt)
        k = fe.size
        day = days_weighted(k, OUTAGE_MONTH_W[day_cal])
        summer = np.isin(day_cal[day - self.day0], (5, 6, 7))
        cause = np.where(rng.random(k) < np.where(summer, 0.55, 0.25), O_WEATHER,
                         _choice(rng, k, [0, 0.45, 0.30, 0, 0.25]))
        hour = np.where(cause == O_WEATHER, np.clip(rng.normal(16.5, 3.5, k), 0, 23.9),
                        rng.uniform(0, 24, k))
        hour[cause == O_EXTERNAL] = rng.uniform(7.5, 18.5, (cause == O_EXTERNAL).sum())
        night = rng.random(k) < 0.08
        hour[night] = rng.uniform(22.0, 23.9, night.sum())
        dur = np.clip(rng.lognormal(np.log(85) + 0.1 * (cause == O_WEATHER), 0.85, k) * 60,
                      360, 86_400)
        parts.append((fe, day * 86400 + (hour * 3600).astype(np.int64), dur, cause,
                      np.zeros(k, bool)))
        # momentary (<= 5 min)
        cnt = rng.poisson(lam_m * years)
        fe = np.repeat(np.arange(nf), cnt)
        k = fe.size
        day = days_weighted(k, OUTAGE_MONTH_W[day_cal])
        parts.append((fe, day * 86400 + rng.integers(0, 86400, k), rng.integers(10, 301, k),
                      _choice(rng, k, [0.5, 0.3, 0, 0, 0.2]), np.zeros(k, bool)))
        # planned maintenance: weekdays, mostly April-October, 2-8 h from 7:00-9:30
        cnt = rng.poisson(lam_p * years)
        fe = np.repeat(np.arange(nf), cnt)
        k = fe.size
        w = np.where(np.isin(day_cal, (3, 4, 5, 6, 7, 8, 9)), 1.0, 0.25) * (weekday < 5)
        day = days_weighted(k, w)
        start = day * 86400 + (7 * 3600 + 1800 * rng.integers(0, 6, k))
        parts.append((fe, start, 1800 * rng.integers(4, 17, k), np.full(k, O_MAINTENANCE),
                      np.ones(k, bool)))
        # storm days (major event days): most feeders near one substation area fail
        n_storms = 1 if self.nm < 18 else 2
        summer_days = np.flatnonzero(np.isin(day_cal, (5, 6, 7)))
        pool = summer_days if summer_days.size else np.arange(n_days)
        storm_days = self.day0 + rng.choice(pool, min(n_storms, pool.size), replace=False)
        for sd in storm_days:
            centre = rng.integers(0, len(self.s["id"]))
            dx = (f["lon"] - self.s["lon"][centre]) * COS_LAT * KM_PER_DEG
            dy = (f["lat"] - self.s["lat"][centre]) * KM_PER_DEG
            near = np.flatnonzero((np.hypot(dx, dy) < 40) & (rng.random(nf) < 0.75))
            k = near.size
            onset = sd * 86400 + int(rng.uniform(14, 18) * 3600)
            start = onset + np.abs(rng.normal(0, 2400, k)).astype(np.int64)
            dur = np.clip(rng.lognormal(np.log(240), 0.8, k) * 60, 600, 86_400)
            parts.append((near, start, dur, np.full(k, O_WEATHER), np.zeros(k, bool)))
        fe = np.concatenate([p[0] for p in parts])
        start = np.concatenate([p[1] for p in parts]).astype(np.int64)
        end = start + np.concatenate([p[2] for p in parts]).astype(np.int64)
        cause = np.concatenate([p[3] for p in parts])
        planned = np.concatenate([p[4] for p in parts])
        order = np.lexsort((fe, start))
        fe, start, end, cause, planned = (x[order] for x in (fe, start, end, cause, planned))
        keep = end < self.cutoff * 86400
        dup = np.r_[False, (start[1:] == start[:-1]) & (fe[1:] == fe[:-1])]
        keep &= ~dup
        fe, start, end, cause, planned = (x[keep] for x in (fe, start, end, cause, planned))
        self.o = dict(feeder=fe, start=start, end=end, cause=cause, planned=planned)
        table = pa.table({
            "outage_id": _cat("TD", _pad(np.arange(1, fe.size + 1), 7)),
            "feeder_id": _pick(f["id"], fe),
            "start": _iso(start), "end": _iso(end),
            "cause": _pick(OUTAGE_CAUSES, cause),
            "planned": pa.array(planned),
        })
        self.counts["outages.csv"] = _write_csv(self.out / "outages.csv", table, self.progress)

    # ------------------------------------------------------------------ service records
    def _service_records(self) -> None:
        rng = _rng(self.seed, _S_SERVICE)
        c, n, o = self.c, self.n, self.o
        t0, t1 = self.day0 * 86400, self.cutoff * 86400
        opened_s = c["opened"] * 86400
        recs = []  # (customer, opened_at s, duration s, kind, channel, topic, note)
        # 1. visits to big customers every 2-4 months
        big = np.flatnonzero(c["big"])
        if big.size:
            interval = rng.uniform(60, 120, big.size) * 86400
            kmax = int((t1 - t0) / (60 * 86400)) + 2
            first = np.maximum(t0, opened_s[big]) + rng.uniform(0, 1, big.size) * interval
            at = first[:, None] + np.arange(kmax)[None] * interval[:, None]
            at = at + rng.normal(0, 5 * 86400, at.shape)
            ok = (at < t1) & (at >= np.maximum(t0, opened_s[big])[:, None])
            cust = np.broadcast_to(big[:, None], at.shape)[ok]
            day = (at[ok] // 86400).astype(np.int64)
            at = day * 86400 + rng.integers(9 * 3600, 16 * 3600, day.size)
            j = _choice(rng, cust.size, [v[1] for v in VISIT_TOPICS])
            recs.append((cust, at, rng.uniform(3600, 3 * 3600, cust.size), np.full(
                cust.size, "visit", object), np.full(cust.size, "visit", object),
                np.array([v[0] for v in VISIT_TOPICS], object)[j],
                np.array([v[2] for v in VISIT_TOPICS], object)[j]))
        # arrears collection visits
        arr = np.flatnonzero((c["pay_beh"] == PAY_ARREARS) & (self.arrears > 100))
        if arr.size:
            cust = np.repeat(arr, rng.integers(1, 4, arr.size))
            lo = np.maximum(t0, opened_s[cust])
            at = lo + rng.random(cust.size) * (t1 - lo)
            at = (at // 86400).astype(np.int64) * 86400 + rng.integers(9 * 3600, 17 * 3600,
                                                                       cust.size)
            recs.append((cust, at, rng.uniform(1800, 7200, cust.size),
                         np.full(cust.size, "visit", object), np.full(cust.size, "visit", object),
                         np.full(cust.size, "欠费催缴", object),
                         np.full(cust.size, "上门催缴电费，客户承诺近期缴清", object)))
        # 2. calls after sustained unplanned outages, in proportion to customers and duration
        dur = o["end"] - o["start"]
        sus = np.flatnonzero(~o["planned"] & (dur > 300))
        fc = self.f["customers"]
        lam = fc[o["feeder"][sus]] * 0.005 * np.sqrt(dur[sus] / 3600)
        cnt = rng.poisson(lam)
        ev = np.repeat(sus, cnt)
        if ev.size:
            by_feeder = np.argsort(c["feeder"], kind="stable")
            f_first = np.r_[0, np.cumsum(fc)[:-1]]
            fe = o["feeder"][ev]
            cust = by_feeder[f_first[fe] + (rng.random(ev.size) * fc[fe]).astype(np.int64)]
            at = o["start"][ev] + rng.uniform(300, np.minimum(3600, dur[ev]), ev.size)
            ok = opened_s[cust] <= at  # only customers connected at the time call
            ev, cust, at = ev[ok], cust[ok], at[ok]
            is_c = rng.random(ev.size) < 0.35
            recs.append((cust, at.astype(np.int64),
                         np.where(is_c, rng.uniform(1, 5, ev.size) * 86400,
                                  (o["end"][ev] - at) + rng.uniform(600, 7200, ev.size)),
                         np.where(is_c, "complaint", "request").astype(object),
                         np.where(rng.random(ev.size) < 0.85, "95598", "online").astype(object),
                         np.where(is_c, np.where(rng.random(ev.size) < 0.5, "停电投诉",
                                                 "频繁停电"), "停电报修").astype(object),
                         np.array(OUTAGE_NOTES, object)[rng.integers(0, len(OUTAGE_NOTES),
                                                                     ev.size)]))
        # 3. background enquiries, requests and complaints
        res = c["cls"] == RES
        active_years = (t1 - np.maximum(t0, opened_s)) / (365.25 * 86400)
        rate = np.where(res, 0.05, 0.18) * (1 + 0.5 * c["rural"])
        cust = np.repeat(np.arange(n), rng.poisson(rate * np.maximum(active_years, 0)))
        if cust.size:
            w = np.array([t[2] for t in TOPICS], float)
            wr = np.array([t[3] for t in TOPICS], float)
            j = np.where(res[cust], _choice(rng, cust.size, w * wr), _choice(rng, cust.size, w))
            lo = np.maximum(t0, opened_s[cust])
            day = ((lo + rng.random(cust.size) * (t1 - lo)) // 86400).astype(np.int64)
            at = day * 86400 + (np.clip(rng.normal(13, 3.5, cust.size), 7, 21.9)
                                * 3600).astype(np.int64)
            kind = np.array([t[1] for t in TOPICS], object)[j]
            ch = np.array(["95598", "online", "counter"], object)[
                _choice(rng, cust.size, [0.5, 0.3, 0.2])]
            notes = np.array([t[4][0] for t in TOPICS], object)
            notes2 = np.array([t[4][1] for t in TOPICS], object)
            note = np.where(rng.random(cust.size) < 0.5, notes[j], notes2[j])
            recs.append((cust, at, rng.lognormal(np.log(20 * 3600), 1.0, cust.size), kind, ch,
                         np.array([t[0] for t in TOPICS], object)[j], note))
        # connection requests shortly before accounts opened in the window
        new = np.flatnonzero(opened_s >= t0 + 40 * 86400)
        if new.size:
            at = opened_s[new] - rng.uniform(10, 40, new.size) * 86400
            at = (at // 86400).astype(np.int64) * 86400 + rng.integers(8 * 3600, 17 * 3600,
                                                                       new.size)
            recs.append((new, at, opened_s[new] - at, np.full(new.size, "request", object),
                         np.full(new.size, "counter", object), np.full(new.size, "业扩报装",
                                                                      object),
                         np.full(new.size, "新装用电申请，已受理并装表接电", object)))
        cust = np.concatenate([r[0] for r in recs]) if recs else np.empty(0, np.int64)
        at = np.concatenate([r[1] for r in recs]).astype(np.int64) if recs else cust
        dur = np.concatenate([r[2] for r in recs]).astype(np.int64) if recs else cust
        kind, ch, topic, note = (np.concatenate([r[i] for r in recs]) if recs else
                                 np.empty(0, object) for i in range(3, 7))
        keep = (at >= t0) & (at < t1)
        cust, at, dur, kind, ch, topic, note = (x[keep] for x in
                                                (cust, at, dur, kind, ch, topic, note))
        order = np.lexsort((cust, at))
        cust, at, dur, kind, ch, topic, note = (x[order] for x in
                                                (cust, at, dur, kind, ch, topic, note))
        closed = at + np.maximum(dur, 600)
        done = closed < t1
        status = np.where(done, np.where(kind == "complaint", "resolved", "closed"),
                          np.where(rng.random(at.size) < 0.4, "open", "in_progress"))
        table = pa.table({
            "service_id": _cat("SR", _pad(np.arange(1, at.size + 1), 9)),
            "customer_id": pc.take(c["id"], pa.array(cust, pa.int64())),
            "kind": pa.array(kind, pa.string()),
            "opened_at": _iso(at),
            "closed_at": pc.if_else(pa.array(done), _iso(closed), pa.scalar(None, pa.string())),
            "status": pa.array(status, pa.string()),
            "channel": pa.array(ch, pa.string()),
            "topic": pa.array(topic, pa.string()),
            "note": pa.array(note, pa.string()),
        })
        self.counts["service_records.csv"] = _write_csv(self.out / "service_records.csv", table,
                                                        self.progress)

    # ------------------------------------------------------------------ revenue protection
    def _revenue_files(self) -> None:
        """transformers.csv, supply.csv, daily_reads.csv, the recorded vacancies (appended
        to service_records.csv) and the answer key revenue_truth.csv (see demo_revenue)."""
        rev, ids = self.rev, self.c["id"]
        self.counts["transformers.csv"] = _write_csv(self.out / "transformers.csv",
                                                     rev.transformers(), self.progress)
        self.counts["supply.csv"] = _write_csv(self.out / "supply.csv",
                                               rev.supply(self.month_str), self.progress)
        self.counts["daily_reads.csv"] = _write_csv(self.out / "daily_reads.csv",
                                                    rev.daily_reads(ids), self.progress)
        vac = rev.vacancy_records(ids, 1)
        if vac.num_rows:
            path = self.out / "service_records.csv"
            old = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in vac.schema.names}))
            self.counts["service_records.csv"] = _write_csv(
                path, pa.concat_tables([old, vac.cast(old.schema)]), self.progress)
        _write_csv(self.out / "revenue_truth.csv", rev.truth(ids, self.month_str), False)

    # ------------------------------------------------------------------ population grid
    def _population(self) -> None:
        rng = _rng(self.seed, _S_POPULATION)
        pl = self.pl
        step = 0.02
        x0, y0, x1, y1 = self.all_area.bounds
        xs = np.arange(np.floor(x0 / step) * step, x1, step)
        ys = np.arange(np.floor(y0 / step) * step, y1, step)
        cx, cy = xs + step / 2, ys + step / 2
        gx, gy = np.meshgrid(cx, cy)
        gx, gy = gx.ravel(), gy.ravel()
        d = np.full(gx.size, -1)
        for k, poly in enumerate(self.d_poly):
            d[(d < 0) & shapely.contains_xy(poly, gx, gy)] = k
        # Mass of each Gaussian component inside each cell (separable: x times y).
        sx = pl.sigma / (KM_PER_DEG * COS_LAT)
        sy = pl.sigma / KM_PER_DEG
        edges_x = np.r_[xs, xs[-1] + step]
        edges_y = np.r_[ys, ys[-1] + step]
        px = np.diff(0.5 * (1 + _erf((edges_x[None] - pl.lon[:, None]) / (sx[:, None] * 2**0.5))),
                     axis=1)
        py = np.diff(0.5 * (1 + _erf((edges_y[None] - pl.lat[:, None]) / (sy[:, None] * 2**0.5))),
                     axis=1)
        mass = ((pl.weight[:, None] * py).T @ px).ravel()
        inside = d >= 0
        mass = mass[inside] + 0.02 * pl.weight.sum() / inside.sum()  # scattered farmsteads
        resident = np.floor(mass * TOTAL_POPULATION / mass.sum()
                            + rng.random(mass.size)).astype(np.int64)
        rel = np.sqrt(resident / max(1, resident.max()))
        share = np.clip(0.02 + 0.13 * rel * rng.uniform(0.8, 1.2, rel.size), 0, 0.15)
        floating = np.round(resident * share).astype(np.int64)
        row = np.repeat(np.arange(ys.size), xs.size)[inside]
        col = np.tile(np.arange(xs.size), ys.size)[inside]
        table = pa.table({
            "cell_id": _cat("G", _pad(row, 3), "-", _pad(col, 3)),
            "lon": np.round(gx[inside], 4), "lat": np.round(gy[inside], 4),
            "resident": resident, "floating": floating,
            "district_id": _pick(self.d_id, d[inside]),
        })
        self.counts["population.csv"] = _write_csv(self.out / "population.csv", table,
                                                   self.progress)

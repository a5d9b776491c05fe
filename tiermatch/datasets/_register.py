"""A seeded, reproducible demo register: Thai SMEs, buyers and a matchmaking history.

The register looks like what DIP's field offices collect: six sectors (and a
few ``other`` service firms) in realistic proportions and places, product
texts in Thai, English or both with the prefixes and noise people type,
certifications under their common aliases, local industrial clusters, and
buyers on both routes (first-tier manufacturers buying inputs; exporters,
importers and retailers buying finished goods). The history is sampled from a
latent utility, so a model that learns from it has something real to learn.

Every profile's true catalogue items are kept (``supplier_items``,
``buyer_items``) so quality benchmarks can score a matcher against a perfect
reader with :func:`true_relevance`. The catalogue is
:data:`tiermatch.datasets._catalog.CATALOG`; all names are invented.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..features.profiles import Buyer, Partnership, Supplier
from ..features.reference import CERTIFICATIONS, SECTORS, haversine_km, provinces
from ..io.outputs import interchange_row, write_partnerships, write_rows
from ._catalog import CATALOG, CatalogItem
from ._longtail import LONG_TAIL

__all__ = ["DemoRegister", "make_register", "split_partnerships", "true_relevance", "write_register"]

# --------------------------------------------------------------------------- world parameters

# Share of SMEs by sector: processed food is the largest group in DIP's register.
_SUPPLIER_SECTOR_SHARES = {
    "processed_food": 0.30, "textiles_garments": 0.20, "automotive": 0.17, "cosmetics": 0.12,
    "gems_jewelry": 0.08, "palm_oil": 0.08, "other": 0.05,
}

# Province hotspots by sector (weights) and the share of SMEs placed there; the
# rest spread over the whole country by economic weight.
_SUPPLIER_HOTSPOTS = {
    "automotive": (0.92, {"Chon Buri": 25, "Rayong": 22, "Samut Prakan": 18, "Chachoengsao": 8,
                          "Pathum Thani": 7, "Phra Nakhon Si Ayutthaya": 10, "Bangkok": 6, "Prachin Buri": 3,
                          "Nakhon Ratchasima": 1}),
    "palm_oil": (0.97, {"Surat Thani": 30, "Krabi": 20, "Chumphon": 15, "Nakhon Si Thammarat": 12, "Trang": 8,
                        "Satun": 3, "Phang-nga": 3, "Songkhla": 3, "Prachuap Khiri Khan": 2, "Chanthaburi": 1,
                        "Trat": 1}),
    "gems_jewelry": (0.92, {"Chanthaburi": 40, "Bangkok": 40, "Chiang Mai": 6, "Trat": 4, "Kanchanaburi": 3,
                            "Phuket": 3, "Nan": 2, "Phrae": 2}),
    "textiles_garments": (0.85, {"Bangkok": 30, "Samut Sakhon": 15, "Chiang Mai": 12, "Khon Kaen": 10,
                                 "Samut Prakan": 8, "Nakhon Pathom": 6, "Sakon Nakhon": 4, "Surin": 4,
                                 "Nakhon Ratchasima": 4, "Chaiyaphum": 3, "Narathiwat": 2, "Ratchaburi": 2}),
    "processed_food": (0.55, {"Bangkok": 10, "Samut Sakhon": 10, "Nakhon Pathom": 6, "Chiang Mai": 5,
                              "Songkhla": 5, "Nakhon Ratchasima": 5, "Chon Buri": 4, "Ratchaburi": 4,
                              "Samut Prakan": 4, "Khon Kaen": 3, "Surat Thani": 3, "Chanthaburi": 3, "Rayong": 3,
                              "Pathum Thani": 3, "Prachuap Khiri Khan": 3}),
    "cosmetics": (0.85, {"Bangkok": 40, "Nonthaburi": 15, "Chiang Mai": 15, "Pathum Thani": 8, "Samut Prakan": 6,
                         "Nakhon Pathom": 5, "Prachin Buri": 3}),
    "other": (0.70, {"Bangkok": 20, "Samut Prakan": 12, "Chon Buri": 12, "Rayong": 6, "Pathum Thani": 8,
                     "Phra Nakhon Si Ayutthaya": 6, "Samut Sakhon": 6, "Songkhla": 3}),
}
_ECONOMIC_WEIGHT = {"Bangkok": 8, "Samut Prakan": 3, "Nonthaburi": 3, "Pathum Thani": 3, "Samut Sakhon": 3,
                    "Nakhon Pathom": 3, "Chon Buri": 2, "Rayong": 2, "Chiang Mai": 2, "Khon Kaen": 2,
                    "Nakhon Ratchasima": 2, "Songkhla": 2, "Phra Nakhon Si Ayutthaya": 2, "Surat Thani": 2,
                    "Udon Thani": 2}

_BUYER_HOTSPOTS = {
    "automotive": {"Rayong": 25, "Chon Buri": 28, "Samut Prakan": 15, "Chachoengsao": 10,
                   "Phra Nakhon Si Ayutthaya": 12, "Pathum Thani": 6, "Prachin Buri": 4},
    "processed_food": {"Samut Sakhon": 15, "Bangkok": 15, "Nakhon Pathom": 10, "Pathum Thani": 8, "Samut Prakan": 8,
                       "Songkhla": 8, "Chon Buri": 8, "Phra Nakhon Si Ayutthaya": 5, "Nakhon Ratchasima": 5,
                       "Chiang Mai": 5, "Ratchaburi": 5, "Lop Buri": 3},
    "textiles_garments": {"Bangkok": 30, "Samut Prakan": 15, "Samut Sakhon": 15, "Nakhon Pathom": 10,
                          "Pathum Thani": 10, "Chiang Mai": 5, "Khon Kaen": 5, "Ratchaburi": 5},
    "cosmetics": {"Bangkok": 40, "Nonthaburi": 15, "Pathum Thani": 15, "Samut Prakan": 15, "Chiang Mai": 10,
                  "Chachoengsao": 5},
    "gems_jewelry": {"Bangkok": 60, "Chanthaburi": 30, "Chiang Mai": 10},
    "palm_oil": {"Surat Thani": 30, "Krabi": 20, "Chumphon": 15, "Nakhon Si Thammarat": 10, "Trang": 5,
                 "Chon Buri": 10, "Samut Prakan": 10},
    "other": {"Bangkok": 30, "Chon Buri": 20, "Rayong": 15, "Phra Nakhon Si Ayutthaya": 15, "Samut Prakan": 20},
}
_PORT_CITIES = {"Bangkok": 45, "Samut Prakan": 15, "Chon Buri": 20, "Samut Sakhon": 8, "Songkhla": 6,
                "Chiang Mai": 3, "Chanthaburi": 3}
_RETAIL_CITIES = {"Bangkok": 55, "Nonthaburi": 10, "Chiang Mai": 10, "Phuket": 8, "Khon Kaen": 6, "Chon Buri": 6,
                  "Songkhla": 5}

_BUYER_TYPE_SHARES = {"first_tier": 0.55, "exporter": 0.17, "importer": 0.10, "retailer": 0.18}
_BUYER_SECTOR_SHARES = {
    "first_tier": {"automotive": 0.32, "processed_food": 0.25, "textiles_garments": 0.12, "cosmetics": 0.10,
                   "palm_oil": 0.10, "gems_jewelry": 0.06, "other": 0.05},
    "exporter": {"processed_food": 0.35, "textiles_garments": 0.20, "gems_jewelry": 0.15, "cosmetics": 0.10,
                 "palm_oil": 0.10, "automotive": 0.10},
    "importer": {"processed_food": 0.35, "textiles_garments": 0.20, "cosmetics": 0.15, "gems_jewelry": 0.15,
                 "automotive": 0.10, "palm_oil": 0.05},
    "retailer": {"processed_food": 0.40, "cosmetics": 0.25, "textiles_garments": 0.20, "gems_jewelry": 0.15},
}

# Median capacity in baht a month by sector (log-normal around it).
_MEDIAN_CAPACITY = {"automotive": 2_500_000, "processed_food": 1_200_000, "textiles_garments": 1_000_000,
                    "cosmetics": 600_000, "gems_jewelry": 800_000, "palm_oil": 3_000_000, "other": 1_000_000}
_BAHT_PER_EMPLOYEE = {"automotive": 120_000, "processed_food": 80_000, "textiles_garments": 50_000,
                      "cosmetics": 70_000, "gems_jewelry": 90_000, "palm_oil": 200_000, "other": 90_000}
_P_OTOP = {"processed_food": 0.30, "textiles_garments": 0.35, "cosmetics": 0.30, "gems_jewelry": 0.10,
           "automotive": 0.0, "palm_oil": 0.03, "other": 0.01}
_P_EXPORT = {"processed_food": 0.35, "automotive": 0.30, "gems_jewelry": 0.45, "textiles_garments": 0.30,
             "cosmetics": 0.25, "palm_oil": 0.15, "other": 0.15}

# Certifications a supplier of a sector may hold (probability each), and those buyers may require.
_SUPPLIER_CERTS = {
    "automotive": {"ISO 9001": 0.6, "IATF 16949": 0.3, "ISO 14001": 0.2, "TIS": 0.1},
    "processed_food": {"GMP": 0.6, "HACCP": 0.4, "Halal": 0.3, "Thai FDA": 0.6, "ISO 22000": 0.1, "BRCGS": 0.05,
                       "Organic Thailand": 0.05},
    "cosmetics": {"Thai FDA": 0.7, "ISO 22716": 0.25, "GMP": 0.4, "Halal": 0.1, "Organic Thailand": 0.05},
    "palm_oil": {"RSPO": 0.35, "ISO 9001": 0.2, "GMP": 0.15, "Halal": 0.1},
    "textiles_garments": {"OEKO-TEX": 0.25, "ISO 9001": 0.15, "GOTS": 0.05, "TIS": 0.05},
    "gems_jewelry": {"GIT": 0.35, "RJC": 0.1, "Kimberley Process": 0.05},
    "other": {"ISO 9001": 0.35, "ISO 14001": 0.1},
}
_BUYER_CERTS = {
    "automotive": ("IATF 16949", "ISO 9001"), "processed_food": ("GMP", "HACCP", "Halal", "Thai FDA"),
    "cosmetics": ("Thai FDA", "ISO 22716", "GMP"), "palm_oil": ("RSPO",), "textiles_garments": ("OEKO-TEX",),
    "gems_jewelry": ("GIT", "RJC"), "other": ("ISO 9001",),
}
# Spellings written in the field for some certifications (all known to normalize_certification).
_CERT_SPELLINGS = {
    "ISO 9001": ("ISO9001", "ISO 9001:2015"), "ISO 14001": ("ISO14001",), "IATF 16949": ("IATF16949", "TS 16949"),
    "GMP": ("จีเอ็มพี",), "HACCP": ("ฮาซเซพ",), "Halal": ("ฮาลาล", "Thai Halal"), "Thai FDA": ("อย.", "FDA"),
    "ISO 22716": ("ISO22716", "Cosmetic GMP"), "RSPO": ("RSPO certified",), "OEKO-TEX": ("OEKO-TEX 100", "Oeko-Tex"),
    "GIT": ("GIT Standard",), "TIS": ("มอก.",), "Organic Thailand": ("เกษตรอินทรีย์",), "OTOP 5 Star": ("OTOP 5 ดาว",),
}

_CLUSTER_LABELS = {
    "automotive": ("Auto Parts", "ชิ้นส่วนยานยนต์"), "processed_food": ("Processed Food", "อาหารแปรรูป"),
    "textiles_garments": ("Textile and Garment", "สิ่งทอและเครื่องนุ่งห่ม"),
    "cosmetics": ("Herbal Cosmetics", "เครื่องสำอางสมุนไพร"),
    "gems_jewelry": ("Gems and Jewelry", "อัญมณีและเครื่องประดับ"), "palm_oil": ("Oil Palm", "ปาล์มน้ำมัน"),
    "other": ("Industrial Services", "บริการอุตสาหกรรม"),
}

_SERVICE_KEYS = frozenset({
    "sheet_metal_fabrication", "electroplating", "powder_coating", "heat_treatment", "dyeing_finishing",
    "textile_printing", "embroidery", "garment_cmt", "gem_cutting", "gem_heat_treatment", "jewelry_casting",
    "stone_setting", "jewelry_plating", "jewelry_cad", "jewelry_polishing", "palm_harvesting", "trucking",
    "cold_chain", "warehousing", "freight_forwarding", "milk_run", "machining_service", "machine_maintenance",
    "industrial_cleaning", "lab_testing", "calibration",
})

# --------------------------------------------------------------------------- names

_TH_STEMS = ("สยาม", "ไทย", "ศรี", "เจริญ", "รุ่งเรือง", "ทวีผล", "สมบูรณ์", "พัฒนา", "มั่นคง", "เอเชีย", "ตะวันออก",
             "อันดามัน", "ล้านนา", "อีสาน", "ทองไทย", "ประเสริฐ", "วัฒนา", "ธนากร", "มงคล", "รัตนา", "โชคชัย", "เกษม",
             "ภูมิไทย", "บางกอก", "ชัยศรี", "ไพศาล", "สุขสวัสดิ์", "นครไทย", "กิจเจริญ", "ทรัพย์สมบูรณ์")
_EN_STEMS = ("Siam", "Thai", "Sri", "Chao Phraya", "Eastern", "Andaman", "Lanna", "Isan", "Golden", "Krung",
             "Rattana", "Charoen", "Somboon", "Pattana", "Thanakorn", "Wattana", "Prasert", "Mongkol", "Chaisri",
             "Paisarn", "Sukhumvit", "Nakhon", "Kij", "Asia", "Mekong", "Suvarna", "Rung Rueang", "Thawee")
_TH_WORDS = {
    "automotive": ("โลหะการ", "ออโต้พาร์ท", "ชิ้นส่วนยานยนต์", "ยางยนต์", "พลาสติก", "เอ็นจิเนียริ่ง", "แม่พิมพ์", "เมทัล"),
    "processed_food": ("ฟู้ด", "อาหาร", "ฟู้ดส์ โปรดักส์", "ซีฟู้ด", "อุตสาหกรรมอาหาร", "เกษตรแปรรูป", "อะโกร"),
    "textiles_garments": ("สิ่งทอ", "การ์เมนต์", "แฟชั่น", "ผ้าไหม", "เท็กซ์ไทล์", "ผ้าทอ", "นิตติ้ง"),
    "cosmetics": ("คอสเมติก", "เครื่องสำอาง", "สมุนไพร", "บิวตี้", "เฮอร์บัล", "แล็บ"),
    "gems_jewelry": ("อัญมณี", "เจมส์", "จิวเวลรี่", "เครื่องประดับ", "พลอย", "โกลด์"),
    "palm_oil": ("ปาล์มน้ำมัน", "น้ำมันปาล์ม", "ปาล์มออยล์", "อุตสาหกรรมปาล์ม", "ปาล์มทอง"),
    "other": ("แพ็คเกจจิ้ง", "บรรจุภัณฑ์", "โลจิสติกส์", "ขนส่ง", "วิศวกรรม", "การพิมพ์", "เทรดดิ้ง"),
}
_EN_WORDS = {
    "automotive": ("Precision Parts", "Auto Parts", "Metal Works", "Rubber Products", "Plastic Industry",
                   "Engineering", "Mould and Die", "Stamping"),
    "processed_food": ("Foods", "Food Industries", "Agro Products", "Seafood", "Frozen Foods", "Food Products"),
    "textiles_garments": ("Textile", "Garment", "Silk", "Knitting", "Fashion", "Apparel"),
    "cosmetics": ("Cosmetics", "Herbal", "Beauty", "Laboratories", "Natural Care"),
    "gems_jewelry": ("Gems", "Jewelry", "Gems and Jewelry", "Gold", "Silverware"),
    "palm_oil": ("Palm Oil", "Palm Products", "Palm Industry", "Oil Mill", "Agro Industry"),
    "other": ("Packaging", "Logistics", "Engineering", "Printing", "Transport", "Supply"),
}
# Service firms are named after their line of business (first product family).
_OTHER_TH_WORDS = {"packaging": ("แพ็คเกจจิ้ง", "บรรจุภัณฑ์", "กล่องกระดาษ"), "printing": ("การพิมพ์", "แพ็คเกจจิ้ง"),
                   "logistics": ("โลจิสติกส์", "ขนส่ง", "ทรานสปอร์ต"), "testing": ("แล็บ", "วิศวกรรม")}
_OTHER_EN_WORDS = {"packaging": ("Packaging", "Paper Products", "Pack"), "printing": ("Printing", "Label and Print"),
                   "logistics": ("Logistics", "Transport", "Express"), "testing": ("Laboratory", "Engineering")}
_VILLAGES_TH = ("หนองบัว", "ดอนแก้ว", "โนนสูง", "ท่าช้าง", "นาคำ", "ห้วยทราย", "ป่าแดด", "โคกสว่าง", "นาดี", "หนองแวง",
                "แม่ริม", "ท่าเรือ", "สันทราย", "โพธิ์ทอง", "บ่อพลอย")
_VILLAGES_EN = ("Nong Bua", "Don Kaeo", "Non Sung", "Tha Chang", "Na Kham", "Huai Sai", "Pa Daet", "Khok Sawang",
                "Na Di", "Nong Waeng", "Mae Rim", "Tha Ruea", "San Sai", "Pho Thong", "Bo Ploi")
_OTOP_GROUPS = {
    "processed_food": ("กลุ่มแม่บ้านเกษตรกร", "กลุ่มแปรรูปอาหาร", "กลุ่มแม่บ้าน", "Food Processing Group"),
    "textiles_garments": ("กลุ่มทอผ้า", "กลุ่มผ้าทอมือ", "กลุ่มตัดเย็บ", "Weaving Group"),
    "cosmetics": ("กลุ่มสมุนไพร", "กลุ่มผลิตภัณฑ์สมุนไพร", "กลุ่มสบู่สมุนไพร", "Herbal Products Group"),
    "gems_jewelry": ("กลุ่มเครื่องเงิน", "กลุ่มเครื่องประดับ", "กลุ่มลูกปัด", "Silver Craft Group"),
    "palm_oil": ("กลุ่มเกษตรกรปาล์มน้ำมัน", "Oil Palm Farmers Group"),
    "other": ("กลุ่มหัตถกรรม", "Handicraft Group"),
    "automotive": ("กลุ่มช่างชุมชน", "Community Workshop"),
}
_FOREIGN_STEMS = {
    "jp": ("Hoshino", "Kitagawa", "Maruyama", "Takeuchi", "Sanwa", "Daiichi", "Tokai", "Chuo", "Nisshin", "Yamato",
           "Kyowa", "Shinwa", "Fujimi", "Mitsuwa", "Kanto", "Sakai", "Okamura", "Hirose"),
    "cn": ("Jinlong", "Huaxin", "Zhongtai", "Xinyuan", "Dongfang", "Tianrui", "Minghua", "Shunfa", "Hongxing",
           "Yongsheng"),
    "eu": ("Bergmann", "Lindqvist", "Rossi", "Van Dijk", "Keller", "Duval", "Schaefer", "Moreau", "Nordhaven",
           "Castellano"),
    "kr": ("Hanil", "Daesung", "Sungwoo", "Seojin", "Hyeonam"),
}
_FOREIGN_WORDS = {
    "automotive": ("Seiki", "Auto Parts", "Precision", "Automotive Components", "Kogyo", "Motor Parts"),
    "processed_food": ("Foods", "Food Industries", "Shokuhin", "Food Trading"),
    "textiles_garments": ("Textiles", "Apparel", "Garments", "Fashion Sourcing"),
    "cosmetics": ("Cosmetics", "Beauty", "Skin Care", "Labs"),
    "gems_jewelry": ("Jewellery", "Gems", "Bijoux"),
    "palm_oil": ("Oleo", "Vegetable Oils", "Oleochemicals"),
    "other": ("Industries", "Machinery", "Electronics"),
}
_RETAIL_WORDS = ("Mart", "Department Store", "Supermarket", "Retail", "Shop Online", "Outlet")
_TH_RETAIL_WORDS = ("รีเทล", "ซูเปอร์มาร์เก็ต", "มาร์ท", "ช้อปปิ้ง", "ห้างสรรพสินค้า")

# --------------------------------------------------------------------------- text templates

_TH_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TH_PRODUCT_PREFIXES = ("", "", "ผู้ผลิต", "รับผลิต", "จำหน่าย", "ผลิตและจำหน่าย", "โรงงานผลิต", "รับจ้างผลิต OEM",
                        "ผู้ผลิตและส่งออก", "ขายส่ง")
_TH_SERVICE_PREFIXES = ("", "รับ", "บริการ", "ให้บริการ")
_EN_PRODUCT_PREFIXES = ("", "", "Manufacturer of", "We supply", "OEM", "Producer of", "Supplier of",
                        "Exporter of", "Contract manufacturer of", "Wholesale")
_EN_SERVICE_PREFIXES = ("", "We provide", "Services:", "Offering")
_TH_NOISE = ("ราคาโรงงาน", "ส่งทั่วประเทศ", "ประสบการณ์กว่า {n} ปี", "กำลังผลิต {n},000 ชิ้นต่อเดือน",
             "รับออร์เดอร์จำนวนมาก", "คุณภาพส่งออก", "รับทำแบรนด์")
_EN_NOISE = ("MOQ {n}00 pcs", "since {year}", "export to Japan and EU", "competitive price", "short lead time",
             "in-house QC", "{n} years experience")
_EN_NEEDS = ("Sourcing {x}", "Looking for {x} suppliers", "Need local suppliers of {x}", "Require {x}",
             "RFQ: {x}", "Buying {x}", "Seeking Thai SMEs for {x}")
_EN_NEEDS_FINISHED = ("Looking for OEM {x}", "Sourcing {x} for export", "Seeking private label {x}")
_TH_NEEDS = ("ต้องการจัดหา{x}", "หาผู้ผลิต{x}", "ต้องการซื้อ{x}", "รับซื้อ{x}", "มองหาซัพพลายเออร์{x}",
             "ต้องการผู้ผลิต{x}")
_TH_NEEDS_SERVICE = ("ต้องการผู้รับจ้าง{x}", "หาผู้ให้บริการ{x}", "ต้องการจัดหา{x}")
_EN_NEED_NOISE = ("long-term contract", "monthly volume", "JIT delivery", "for export to Japan", "samples required",
                  "stable quality")
_TH_NEED_NOISE = ("จำนวนมาก", "สัญญาระยะยาว", "ส่งมอบรายเดือน", "ต้องการตัวอย่างสินค้า", "คุณภาพสม่ำเสมอ")

_DATE_FIRST = dt.date(2019, 1, 1)
_DATE_LAST = dt.date(2026, 3, 31)

_SUPPLIER_COLUMNS = ("supplier_id", "name", "sector", "products", "province", "certifications", "latitude",
                     "longitude", "capacity_thb_per_month", "employees", "cluster", "max_buyers", "export_ready",
                     "otop")
_BUYER_COLUMNS = ("buyer_id", "name", "buyer_type", "sector", "needs", "province", "required_certifications",
                  "latitude", "longitude", "demand_thb_per_month", "max_suppliers", "max_distance_km")


# --------------------------------------------------------------------------- the register


@dataclass
class DemoRegister:
    """A generated register and its ground truth.

    Positions are list positions: supplier ``i`` is ``suppliers[i]``, whose id
    is ``S00001`` for position 0 (six digits from 100,000 suppliers up); buyer
    ``j`` likewise (``B0001``). ``partnerships`` are sorted by buyer, then
    date; a deal's ``value_thb`` is its value in baht a month.

    Attributes
    ----------
    suppliers, buyers, partnerships : list
        Validated :class:`Supplier`, :class:`Buyer` and :class:`Partnership` records.
    supplier_items : list of list of str
        Catalogue keys each supplier really offers (``supplier_items[i]`` for supplier position i).
    buyer_items : list of list of str
        Catalogue keys each buyer really needs.
    supplier_rows, buyer_rows : list of dict
        The rows as written to CSV: Thai province names and certification
        aliases kept as the data-entry clerk typed them.
    buyer_preferences : dict of str to ndarray
        Each buyer's own taste (``hard=True`` only), which its outcomes follow
        beside what the profiles say.

    Treat a register as read-only: :func:`true_relevance` caches arrays
    derived from it.
    """

    suppliers: list[Supplier]
    buyers: list[Buyer]
    partnerships: list[Partnership]
    supplier_items: list[list[str]]
    buyer_items: list[list[str]]
    supplier_rows: list[dict[str, str]] = field(default_factory=list, repr=False)
    buyer_rows: list[dict[str, str]] = field(default_factory=list, repr=False)
    # Each buyer's hidden taste (``hard=True``): part of the ground truth, never written to the files.
    buyer_preferences: dict = field(default_factory=dict, repr=False, compare=False)
    _truth: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"DemoRegister(n_suppliers={len(self.suppliers)}, n_buyers={len(self.buyers)}, "
                f"n_partnerships={len(self.partnerships)})")

    def supplier_positions(self, supplier_ids) -> np.ndarray:
        """Positions of the given supplier ids (``"S00001"`` -> 0)."""
        return np.array([int(i[1:]) - 1 for i in supplier_ids], dtype=np.int64)

    def buyer_positions(self, buyer_ids) -> np.ndarray:
        """Positions of the given buyer ids (``"B0001"`` -> 0)."""
        return np.array([int(i[1:]) - 1 for i in buyer_ids], dtype=np.int64)


# Every item a register can hold: the catalogue the vocabulary was built around, then the long tail.
ITEMS: tuple[CatalogItem, ...] = (*CATALOG, *LONG_TAIL)
_ITEM_INDEX = {item.key: k for k, item in enumerate(ITEMS)}
_GROUPS = sorted({g for item in ITEMS for g in item.groups})
_GROUP_INDEX = {g: k for k, g in enumerate(_GROUPS)}


@dataclass(frozen=True)
class _Style:
    """How messy a register is: the default demo, or ``hard=True`` for benchmarks (see :func:`make_register`)."""

    hard: bool = False
    cross_language: bool = False

    @property
    def typo_rate(self) -> float:  # share of product phrases typed with a slip
        return 0.12 if self.hard else 0.0

    @property
    def long_tail_weight(self) -> float:  # popularity of long-tail items against catalogue ones
        return 0.55 if self.hard else 0.0


def _weights_over_provinces(weights: dict[str, float], names: list[str]) -> np.ndarray:
    """Probability vector over ``names`` (English) from a name -> weight dict."""
    p = np.array([weights.get(name, 0.0) for name in names], dtype=float)
    missing = set(weights) - set(names)
    if missing:  # a misspelt hotspot would silently move SMEs elsewhere
        raise ValueError(f"unknown provinces in demo weights: {sorted(missing)}")
    return p / p.sum()


def _pick(rnd: random.Random, options):
    return options[int(rnd.random() * len(options))]


def _sample_provinces(rng, sectors: np.ndarray, names: list[str], sector_names) -> np.ndarray:
    """Province position for each row, from its sector's hotspots mixed with the national spread."""
    spread = _weights_over_provinces({n: _ECONOMIC_WEIGHT.get(n, 1) for n in names}, names)
    out = np.empty(len(sectors), dtype=np.int64)
    for code, sector in enumerate(sector_names):
        rows = np.flatnonzero(sectors == code)
        if not len(rows):
            continue
        share, hotspots = _SUPPLIER_HOTSPOTS[sector]
        p = share * _weights_over_provinces(hotspots, names) + (1 - share) * spread
        out[rows] = rng.choice(len(names), size=len(rows), p=p)
    return out


def _format_number(rnd: random.Random, value: float) -> str:
    value = int(round(value))
    return f"{value:,}" if rnd.random() < 0.1 else str(value)


def _write_cert(rnd: random.Random, cert: str) -> str:
    spellings = _CERT_SPELLINGS.get(cert)
    if spellings and rnd.random() < 0.35:
        return _pick(rnd, spellings)
    return cert


def _write_province(rnd: random.Random, province) -> str:
    u = rnd.random()
    if u < 0.55:
        return province.name_en
    if u < 0.92:
        return province.name_th
    return "จังหวัด" + province.name_th if province.name_en != "Bangkok" else "กทม."


def _company_name_th(rnd, sector, public=False, line=None):
    stem = _pick(rnd, _TH_STEMS) + (_pick(rnd, _TH_STEMS) if rnd.random() < 0.5 else "")
    word = _pick(rnd, _OTHER_TH_WORDS.get(line, _TH_WORDS[sector]) if sector == "other" else _TH_WORDS[sector])
    if public:
        return f"บริษัท {stem}{word} จำกัด (มหาชน)"
    if rnd.random() < 0.25:
        return f"ห้างหุ้นส่วนจำกัด {stem}{word}"
    return f"บริษัท {stem}{word} จำกัด"


def _company_name_en(rnd, sector, public=False, line=None):
    stem = _pick(rnd, _EN_STEMS)
    if rnd.random() < 0.35:
        stem = f"{stem} {_pick(rnd, _EN_STEMS)}"
    word = _pick(rnd, _OTHER_EN_WORDS.get(line, _EN_WORDS[sector]) if sector == "other" else _EN_WORDS[sector])
    if public:
        return f"{stem} {word} Public Company Limited"
    suffix = _pick(rnd, ("Co., Ltd.", "Co., Ltd.", "Co.,Ltd.", "Limited Partnership", "Industry Co., Ltd."))
    return f"{stem} {word} {suffix}"


def _otop_name(rnd, sector, english: bool):
    k = int(rnd.random() * len(_VILLAGES_TH))
    groups = _OTOP_GROUPS[sector]
    th_groups = [g for g in groups if not g.isascii()]
    en_groups = [g for g in groups if g.isascii()]
    if english and en_groups:
        return f"Ban {_VILLAGES_EN[k]} {_pick(rnd, en_groups)}"
    prefix = "วิสาหกิจชุมชน" if rnd.random() < 0.6 else ""
    return f"{prefix}{_pick(rnd, th_groups)}บ้าน{_VILLAGES_TH[k]}"


def _buyer_name(rnd, sector, buyer_type, nationality):
    if buyer_type == "retailer":
        if nationality == "th":
            if rnd.random() < 0.5:
                return f"บริษัท {_pick(rnd, _TH_STEMS)}{_pick(rnd, _TH_RETAIL_WORDS)} จำกัด"
            return f"{_pick(rnd, _EN_STEMS)} {_pick(rnd, _RETAIL_WORDS)} Co., Ltd."
        return f"{_pick(rnd, _FOREIGN_STEMS[nationality])} {_pick(rnd, _RETAIL_WORDS)} (Thailand) Co., Ltd."
    if nationality == "th":
        public = rnd.random() < 0.15
        return _company_name_th(rnd, sector, public) if rnd.random() < 0.5 else _company_name_en(rnd, sector, public)
    stem = _pick(rnd, _FOREIGN_STEMS[nationality])
    word = _pick(rnd, _FOREIGN_WORDS[sector])
    if buyer_type == "importer":
        return _pick(rnd, (f"{stem} {word} Trading Co., Ltd. (Bangkok Sourcing Office)",
                           f"{stem} Trading (Thailand) Co., Ltd.", f"{stem} {word} Import Asia Ltd."))
    return f"{stem} {word} (Thailand) Co., Ltd."


def _thai_phrase(rnd, item: CatalogItem, with_prefix: bool) -> str:
    phrase = _pick(rnd, item.thai)
    if not with_prefix or phrase.startswith(("รับ", "บริการ")):
        return phrase
    if item.key in _SERVICE_KEYS:
        prefix = _pick(rnd, _TH_SERVICE_PREFIXES)
    else:
        prefix = _pick(rnd, _TH_PRODUCT_PREFIXES)
    if not prefix:
        return phrase
    # Thai runs words together, but not after a Latin word such as "OEM".
    return prefix + ("" if rnd.random() < 0.7 and not prefix[-1].isascii() else " ") + phrase


def _english_phrase(rnd, item: CatalogItem, with_prefix: bool) -> str:
    phrase = _pick(rnd, item.english)
    if rnd.random() < 0.15:
        phrase = phrase.lower()
    if not with_prefix:
        return phrase
    prefix = _pick(rnd, _EN_SERVICE_PREFIXES if item.key in _SERVICE_KEYS else _EN_PRODUCT_PREFIXES)
    return f"{prefix} {phrase}" if prefix else phrase[:1].upper() + phrase[1:]


_TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"  # ่ ้ ๊ ๋


def _misspell(rnd, phrase: str) -> str:
    """A slip of the keyboard: a Thai tone mark dropped or swapped, or two Latin letters swapped, one
    dropped or doubled."""
    tones = [k for k, c in enumerate(phrase) if c in _TONE_MARKS]
    if tones and rnd.random() < 0.8:
        k = _pick(rnd, tones)
        other = _pick(rnd, [t for t in _TONE_MARKS if t != phrase[k]] + [""])
        return phrase[:k] + other + phrase[k + 1:]
    letters = [k for k, c in enumerate(phrase[:-1]) if c.isalpha() and phrase[k + 1].isalpha()]
    if not letters:
        return phrase
    k = _pick(rnd, letters)
    slip = rnd.random()
    if slip < 0.4:
        return phrase[:k] + phrase[k + 1] + phrase[k] + phrase[k + 2:]
    if slip < 0.7:
        return phrase[:k] + phrase[k + 1:]
    return phrase[:k] + phrase[k] + phrase[k:]


def _typed(rnd, phrase: str, style: _Style) -> str:
    return _misspell(rnd, phrase) if style.typo_rate and rnd.random() < style.typo_rate else phrase


def _join_th(rnd, phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    sep = _pick(rnd, (", ", " ", " / "))
    if rnd.random() < 0.5:
        return sep.join(phrases[:-1]) + " และ" + phrases[-1]
    return sep.join(phrases)


def _join_en(rnd, phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    if rnd.random() < 0.5:
        return ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return _pick(rnd, (", ", " / ", ", ")).join(phrases)


def _noise(rnd, templates, thai_digits: bool) -> str:
    text = _pick(rnd, templates).format(n=int(rnd.random() * 40) + 5, year=1975 + int(rnd.random() * 45))
    return text.translate(_TH_DIGITS) if thai_digits else text


def _supplier_text(rnd, items: list[CatalogItem], language: str, sector: str, otop: bool,
                   style: _Style = _Style()) -> str:
    parts = []
    if language in ("th", "both"):
        phrases = [_typed(rnd, _thai_phrase(rnd, item, k == 0), style) for k, item in enumerate(items)]
        parts.append(_join_th(rnd, phrases))
    if language in ("en", "both"):
        phrases = [_typed(rnd, _english_phrase(rnd, item, k == 0), style) for k, item in enumerate(items)]
        parts.append(_join_en(rnd, phrases))
    if len(parts) == 2:
        text = _pick(rnd, ("{0} ({1})", "{0} / {1}", "{1} - {0}", "{0}. {1}")).format(*parts)
    else:
        text = parts[0]
    if rnd.random() < 0.3:
        if language == "en":
            text += ", " + _noise(rnd, _EN_NOISE, False)
        else:
            extra = list(_TH_NOISE)
            if sector in ("processed_food", "cosmetics"):
                extra.append("มีเลข อย.")
            if otop:
                extra.append("สินค้า OTOP")
            text += " " + _noise(rnd, extra, rnd.random() < 0.4)
    return text


def _buyer_text(rnd, items: list[CatalogItem], language: str, buyer_type: str, style: _Style = _Style()) -> str:
    parts = []
    if language in ("en", "both"):
        phrases = [_typed(rnd, _pick(rnd, item.english).lower() if rnd.random() < 0.6 else _pick(rnd, item.english),
                          style) for item in items]
        templates = _EN_NEEDS
        if buyer_type != "first_tier" and items[0].key not in _SERVICE_KEYS and rnd.random() < 0.4:
            templates = _EN_NEEDS_FINISHED
        parts.append(_pick(rnd, templates).format(x=_join_en(rnd, phrases)))
    if language in ("th", "both"):
        phrases = [_typed(rnd, _pick(rnd, item.thai), style) for item in items]
        templates = _TH_NEEDS_SERVICE if items[0].key in _SERVICE_KEYS else _TH_NEEDS
        parts.append(_pick(rnd, templates).format(x=_join_th(rnd, phrases)))
    text = " / ".join(parts) if len(parts) == 2 else parts[0]
    if rnd.random() < 0.25:
        if language == "en":
            text += ", " + _pick(rnd, _EN_NEED_NOISE)
        else:
            text += " " + _pick(rnd, _TH_NEED_NOISE)
    return text


class _ItemPool:
    """Catalogue positions to draw from, their cumulative weights, and each item's family within the pool."""

    def __init__(self, pool: list[int], weights: list[float]):
        self.pool = pool
        self.cum_weights = list(itertools.accumulate(weights))
        self.family = {k: [m for m in pool if m != k and set(ITEMS[m].groups) & set(ITEMS[k].groups)]
                       for k in pool}

    def draw(self, rnd: random.Random, n: int) -> list[int]:
        """n distinct positions; after the first, prefer the same product family."""
        total = self.cum_weights[-1]
        first = self.pool[bisect.bisect(self.cum_weights, rnd.random() * total)]
        chosen = [first]
        for _ in range(min(n, len(self.pool)) - 1):
            family = [k for k in self.family[first] if k not in chosen]
            if family and rnd.random() < 0.7:
                chosen.append(_pick(rnd, family))
                continue
            for _ in range(20):  # rejection: pools are far larger than n
                k = self.pool[bisect.bisect(self.cum_weights, rnd.random() * total)]
                if k not in chosen:
                    chosen.append(k)
                    break
        return chosen


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- suppliers


def _generate_suppliers(rng, rnd, n, names, province_list, popularity, style: _Style):
    sector_names = list(_SUPPLIER_SECTOR_SHARES)
    sector = rng.choice(len(sector_names), size=n, p=list(_SUPPLIER_SECTOR_SHARES.values()))
    prov = _sample_provinces(rng, sector, names, sector_names)
    median = np.array([_MEDIAN_CAPACITY[s] for s in sector_names])[sector]
    p_otop = np.array([_P_OTOP[s] for s in sector_names])[sector]
    otop = rng.random(n) < p_otop
    capacity = median * np.exp(rng.normal(0.0, 1.0, n)) * np.where(otop, 0.25, 1.0)
    capacity = np.maximum(np.round(capacity, -4), 20_000)
    employees = np.maximum(3, np.round(capacity / np.array([_BAHT_PER_EMPLOYEE[s] for s in sector_names])[sector]
                                       * np.exp(rng.normal(0, 0.4, n)))).astype(int)
    p_export = np.array([_P_EXPORT[s] for s in sector_names])[sector] * 2 * _sigmoid(1.2 * np.log(capacity / median))
    export_ready = rng.random(n) < np.minimum(p_export, 0.9) * np.where(otop, 0.4, 1.0)
    has_capacity = rng.random(n) >= 0.1
    has_employees = rng.random(n) >= 0.15
    jitter = rng.random(n) < 0.4
    lat = np.array([p.latitude for p in province_list])[prov] + rng.normal(0, 0.06, n)
    lon = np.array([p.longitude for p in province_list])[prov] + rng.normal(0, 0.06, n)
    max_buyers = rng.choice(np.arange(1, 6), size=n, p=[0.15, 0.25, 0.3, 0.15, 0.15])
    max_buyers_blank = rng.random(n) < 0.5
    clusters = _assign_clusters(rng, rnd, sector, prov, sector_names, province_list)
    language = rng.choice(np.array(["th", "en", "both"]), size=n,
                          p=[1.0, 0, 0] if style.cross_language else [0.6, 0.15, 0.25] if style.hard else [0.45, 0.22, 0.33])
    n_items = rng.choice(np.arange(1, 5), size=n, p=[0.35, 0.35, 0.2, 0.1])
    english_name = rng.random(n) < np.where(language == "en", 0.85, np.where(language == "both", 0.45, 0.15))

    pools = {}
    for s in sector_names:
        pool = [k for k, item in enumerate(ITEMS) if item.sector == s and popularity[k] > 0]
        # OTOP producers make finished goods more often than inputs.
        pools[s, False] = _ItemPool(pool, [popularity[k] for k in pool])
        pools[s, True] = _ItemPool(pool, [popularity[k] * (3.0 if ITEMS[k].route != "input" else 1.0) for k in pool])
    rows, records, items = [], [], []
    width = max(5, len(str(n)))
    # Plain Python lists: indexing numpy scalars row by row is slow at 200,000 rows.
    (sector, prov, otop, english_name, language, n_items, lat, lon, jitter, capacity, has_capacity, employees,
     has_employees, max_buyers, max_buyers_blank, export_ready) = (
        a.tolist() for a in (sector, prov, otop, english_name, language, n_items, lat, lon, jitter, capacity,
                             has_capacity, employees, has_employees, max_buyers, max_buyers_blank, export_ready))
    for i in range(n):
        s = sector_names[sector[i]]
        chosen = pools[s, bool(otop[i])].draw(rnd, int(n_items[i]))
        chosen_items = [ITEMS[k] for k in chosen]
        certs = [c for c, p in _SUPPLIER_CERTS[s].items() if rnd.random() < p]
        if otop[i] and rnd.random() < 0.2:
            certs.append("OTOP 5 Star")
        if otop[i]:
            name = _otop_name(rnd, s, bool(english_name[i]))
        elif english_name[i]:
            name = _company_name_en(rnd, s, line=chosen_items[0].groups[0])
        else:
            name = _company_name_th(rnd, s, line=chosen_items[0].groups[0])
        row = {
            "supplier_id": f"S{i + 1:0{width}d}",
            "name": name,
            "sector": s,
            "products": _supplier_text(rnd, chosen_items, str(language[i]), s, bool(otop[i]), style),
            "province": _write_province(rnd, province_list[prov[i]]),
            "certifications": _pick(rnd, (";", "; ")).join(_write_cert(rnd, c) for c in certs),
            "latitude": f"{lat[i]:.5f}" if jitter[i] else "",
            "longitude": f"{lon[i]:.5f}" if jitter[i] else "",
            "capacity_thb_per_month": _format_number(rnd, capacity[i]) if has_capacity[i] else "",
            "employees": str(employees[i]) if has_employees[i] else "",
            "cluster": clusters[i],
            "max_buyers": "" if max_buyers_blank[i] else str(max_buyers[i]),
            "export_ready": "true" if export_ready[i] else ("" if rnd.random() < 0.2 else "false"),
            "otop": "true" if otop[i] else ("" if rnd.random() < 0.3 else "false"),
        }
        rows.append(row)
        records.append(Supplier(**row))
        items.append([item.key for item in chosen_items])
    return rows, records, items


def _assign_clusters(rng, rnd, sector, prov, sector_names, province_list) -> list[str]:
    """~40% of SMEs join a local cluster of their sector and province (clusters of up to 40)."""
    n = len(sector)
    names = [""] * n
    key = sector.astype(np.int64) * 1000 + prov
    order = np.argsort(key, kind="stable")
    keys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    joins = rng.random(n) < 0.45
    for k, start, count in zip(keys, starts, counts):
        if count < 3:
            continue
        members = order[start:start + count]
        members = members[joins[members]]
        s = sector_names[k // 1000]
        province = province_list[k % 1000]
        label_en, label_th = _CLUSTER_LABELS[s]
        for chunk, first in enumerate(range(0, len(members), 40)):
            if rnd.random() < 0.55:
                name = f"{province.name_en} {label_en} Cluster" + (f" {chunk + 1}" if chunk else "")
            else:
                name = f"คลัสเตอร์{label_th}{province.name_th}" + (f" กลุ่มที่ {chunk + 1}" if chunk else "")
            for m in members[first:first + 40]:
                names[m] = name
    return names


# --------------------------------------------------------------------------- buyers


def _buyer_pool(sector: str, buyer_type: str, popularity) -> list[int]:
    routes = ("input", "both") if buyer_type == "first_tier" else ("finished", "both")
    return [k for k, item in enumerate(ITEMS)
            if sector in item.buyer_sectors and item.route in routes and popularity[k] > 0]


def _generate_buyers(rng, rnd, n, names, province_list, popularity, supplier_capacity, supplier_sector,
                     style: _Style):
    types = list(_BUYER_TYPE_SHARES)
    buyer_type = rng.choice(len(types), size=n, p=list(_BUYER_TYPE_SHARES.values()))
    sector = np.empty(n, dtype=object)
    prov = np.empty(n, dtype=np.int64)
    for t, type_name in enumerate(types):
        rows = np.flatnonzero(buyer_type == t)
        shares = _BUYER_SECTOR_SHARES[type_name]
        if style.hard and type_name != "first_tier":
            # Crafts and household goods go to market through traders and shops of "other" goods.
            shares = {**{k: v * 0.85 for k, v in shares.items()}, "other": shares.get("other", 0.0) * 0.85 + 0.15}
        sector[rows] = rng.choice(list(shares), size=len(rows), p=list(shares.values()))
    # Places: first-tier plants by sector; exporters and importers half at ports; retailers in cities.
    for s in SECTORS:
        hot = _weights_over_provinces(_BUYER_HOTSPOTS[s], names)
        ports = _weights_over_provinces(_PORT_CITIES, names)
        retail = _weights_over_provinces(_RETAIL_CITIES, names)
        for t, type_name in enumerate(types):
            rows = np.flatnonzero((sector == s) & (buyer_type == t))
            if not len(rows):
                continue
            p = {"first_tier": hot, "exporter": 0.5 * hot + 0.5 * ports, "importer": 0.3 * hot + 0.7 * ports,
                 "retailer": retail}[type_name]
            prov[rows] = rng.choice(len(names), size=len(rows), p=p)

    median = np.array([_MEDIAN_CAPACITY[s] for s in sector])
    type_scale = np.array([4.0, 3.0, 3.0, 1.5])[buyer_type]
    demand = median * type_scale * np.exp(rng.normal(0, 1.0, n))
    # Some buyers want more than any single SME of their sector can make: groups are needed.
    sector_max = {s: float(np.max(supplier_capacity[supplier_sector == s], initial=_MEDIAN_CAPACITY[s]))
                  for s in SECTORS}
    big = rng.permutation(n)[: max(1, round(0.1 * n))]
    demand[big] = np.array([sector_max[s] for s in sector[big]]) * rng.uniform(1.3, 4.0, len(big))
    demand = np.round(demand, -4)
    has_demand = rng.random(n) >= 0.05
    has_demand[big] = True
    max_suppliers = rng.integers(2, 11, n)
    max_suppliers[big] = np.maximum(max_suppliers[big], 5)
    max_suppliers_blank = rng.random(n) < 0.25
    max_suppliers_blank[big] = False
    jitter = rng.random(n) < 0.3
    lat = np.array([p.latitude for p in province_list])[prov] + rng.normal(0, 0.04, n)
    lon = np.array([p.longitude for p in province_list])[prov] + rng.normal(0, 0.04, n)
    nationality = np.empty(n, dtype=object)
    for t, type_name in enumerate(types):
        rows = np.flatnonzero(buyer_type == t)
        shares = {"first_tier": {"jp": 0.35, "th": 0.35, "cn": 0.15, "eu": 0.10, "kr": 0.05},
                  "exporter": {"th": 0.85, "jp": 0.05, "cn": 0.05, "eu": 0.05},
                  "importer": {"jp": 0.3, "cn": 0.3, "eu": 0.3, "kr": 0.1},
                  "retailer": {"th": 0.7, "jp": 0.15, "eu": 0.15}}[type_name]
        nationality[rows] = rng.choice(list(shares), size=len(rows), p=list(shares.values()))
    n_items = rng.choice(np.arange(1, 4), size=n, p=[0.45, 0.35, 0.2])

    rows, records, items = [], [], []
    width = max(4, len(str(n)))
    pools: dict[tuple[str, str], _ItemPool] = {}
    for j in range(n):
        s, type_name = sector[j], types[buyer_type[j]]
        if (s, type_name) not in pools:
            pool = _buyer_pool(s, type_name, popularity)
            # Mostly their own sector's items; cross-sector inputs less often, services seldom.
            pools[s, type_name] = _ItemPool(pool, [
                popularity[k] * (1.0 if ITEMS[k].sector == s else 0.15 if ITEMS[k].sector == "other" else 0.6)
                for k in pool])
        chosen = pools[s, type_name].draw(rnd, int(n_items[j]))
        chosen_items = [ITEMS[k] for k in chosen]
        foreign = nationality[j] != "th"
        u = rnd.random()
        language = ("en" if u < 0.8 else "both") if foreign else ("th" if u < 0.45 else "both" if u < 0.8 else "en")
        if style.cross_language:
            language = "en"
        n_certs = rnd.choices((0, 1, 2), weights=(0.45, 0.35, 0.2))[0]
        options = list(_BUYER_CERTS[s])
        certs = rnd.sample(options, min(n_certs, len(options)))
        if s == "automotive" and type_name == "first_tier":
            p_limit, limits = 0.6, (100, 150, 200, 300, 500)
        elif s == "processed_food" and type_name == "first_tier":
            p_limit, limits = 0.25, (200, 300, 500, 800)
        elif type_name == "first_tier":
            p_limit, limits = 0.2, (100, 200, 300, 500)
        else:
            p_limit, limits = 0.05, (300, 500, 1000)
        max_distance = _pick(rnd, limits) if rnd.random() < p_limit else None
        row = {
            "buyer_id": f"B{j + 1:0{width}d}",
            "name": _buyer_name(rnd, s, type_name, nationality[j]),
            "buyer_type": type_name,
            "sector": s,
            "needs": _buyer_text(rnd, chosen_items, language, type_name, style),
            "province": _write_province(rnd, province_list[prov[j]]),
            "required_certifications": ";".join(_write_cert(rnd, c) for c in certs),
            "latitude": f"{lat[j]:.5f}" if jitter[j] else "",
            "longitude": f"{lon[j]:.5f}" if jitter[j] else "",
            "demand_thb_per_month": _format_number(rnd, demand[j]) if has_demand[j] else "",
            "max_suppliers": "" if max_suppliers_blank[j] else str(max_suppliers[j]),
            "max_distance_km": "" if max_distance is None else str(max_distance),
        }
        rows.append(row)
        records.append(Buyer(**row))
        items.append([item.key for item in chosen_items])
    return rows, records, items


# --------------------------------------------------------------------------- ground truth


def _packed_membership(lists: list[list[int]], width: int) -> np.ndarray:
    """Rows of bit-packed membership (n_rows, ceil(width / 8)) from lists of positions."""
    dense = np.zeros((len(lists), width), dtype=bool)
    rows = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    cols = np.fromiter((k for x in lists for k in x), dtype=np.int64, count=len(rows))
    dense[rows, cols] = True
    return np.packbits(dense, axis=1)


def _truth_arrays(register: DemoRegister) -> dict:
    """Arrays behind true_relevance and the history, cached on the register."""
    if register._truth is not None:
        return register._truth
    item_index, groups, group_index = _ITEM_INDEX, _GROUPS, _GROUP_INDEX
    item_groups = [[group_index[g] for g in item.groups] for item in ITEMS]
    cert_index = {c: k for k, c in enumerate(CERTIFICATIONS)}

    def cert_bits(lists):
        bits = np.zeros(len(lists), dtype=np.uint64)
        for i, certs in enumerate(lists):
            value = 0
            for c in certs:
                value |= 1 << cert_index.get(c, 63)
            bits[i] = value
        return bits

    s_items = [[item_index[key] for key in keys] for keys in register.supplier_items]
    b_items = [[item_index[key] for key in keys] for keys in register.buyer_items]
    s_groups = [sorted({g for k in ks for g in item_groups[k]}) for ks in s_items]
    b_groups = [sorted({g for k in ks for g in item_groups[k]}) for ks in b_items]
    register._truth = {
        "s_item_lists": s_items,
        "s_group_lists": s_groups,
        "n_groups": len(groups),
        "s_items": _packed_membership(s_items, len(ITEMS)),
        "b_items": _packed_membership(b_items, len(ITEMS)),
        "s_groups": _packed_membership(s_groups, len(groups)),
        "b_groups": _packed_membership(b_groups, len(groups)),
        "s_lat": np.array([s.latitude for s in register.suppliers], dtype=float),
        "s_lon": np.array([s.longitude for s in register.suppliers], dtype=float),
        "b_lat": np.array([b.latitude for b in register.buyers], dtype=float),
        "b_lon": np.array([b.longitude for b in register.buyers], dtype=float),
        "s_certs": cert_bits([s.certifications for s in register.suppliers]),
        "b_certs": cert_bits([b.required_certifications for b in register.buyers]),
        "b_n_certs": np.array([len(b.required_certifications) for b in register.buyers], dtype=float),
        "max_km": np.array([np.inf if b.max_distance_km is None else b.max_distance_km for b in register.buyers]),
    }
    return register._truth


def _pair_facts(truth: dict, rows: np.ndarray, cols: np.ndarray):
    """Exact match, related match, straight-line km, missing-certificate count and hard-constraint pass, per pair."""
    exact = np.any(truth["s_items"][rows] & truth["b_items"][cols], axis=-1)
    related = np.any(truth["s_groups"][rows] & truth["b_groups"][cols], axis=-1)
    km = haversine_km(truth["s_lat"][rows], truth["s_lon"][rows],
                                    truth["b_lat"][cols], truth["b_lon"][cols])
    missing_bits = truth["b_certs"][cols] & ~truth["s_certs"][rows]
    missing = np.zeros(missing_bits.shape, dtype=np.int64)
    bits = missing_bits.copy()
    while np.any(bits):
        missing += (bits & np.uint64(1)).astype(np.int64)
        bits = bits >> np.uint64(1)
    passes = (km <= truth["max_km"][cols]) & (missing == 0)
    return exact, related, km, missing, passes


def true_relevance(register: DemoRegister, supplier_positions, buyer_positions) -> np.ndarray:
    """Graded relevance of supplier-buyer pairs, as a perfect reader of the profiles would judge.

    ``2``: the supplier offers an item the buyer needs and the pair passes
    the buyer's hard constraints (every required certification held, straight-line
    distance within ``max_distance_km``, as in
    :func:`~tiermatch.features.candidates.violates_hard_constraints`).
    ``1``: the supplier offers a related item (same product family) and the
    pair passes the hard constraints. ``0``: otherwise, including every pair
    that breaks a hard constraint.

    Parameters
    ----------
    register : DemoRegister
    supplier_positions, buyer_positions : array-like of int
        Supplier and buyer positions, broadcast against each other: pass
        equal-length arrays for a list of pairs, or ``rows[:, None]`` and
        ``cols[None, :]`` for a (dense, so small) suppliers x buyers grid.

    Returns
    -------
    ndarray of int8
        The broadcast shape of the two position arrays; rows are suppliers
        and columns buyers when a grid is asked for.

    Raises
    ------
    IndexError
        If a position is outside the register.

    Examples
    --------
    >>> reg = make_register(60, 8, random_state=1)
    >>> grid = true_relevance(reg, np.arange(60)[:, None], np.arange(8)[None, :])
    >>> grid.shape, set(np.unique(grid)) <= {0, 1, 2}
    ((60, 8), True)
    >>> pairs = true_relevance(reg, [0, 1], [3, 3])
    >>> pairs.shape
    (2,)
    """
    truth = _truth_arrays(register)
    rows, cols = np.broadcast_arrays(np.asarray(supplier_positions, dtype=np.int64),
                                     np.asarray(buyer_positions, dtype=np.int64))
    problems = [f"expected {name} positions in [0, {n}), found {bad.min() if bad.min() < 0 else bad.max()}"
                for name, positions, n in (("supplier", rows, len(register.suppliers)),
                                           ("buyer", cols, len(register.buyers)))
                if positions.size and ((bad := positions[(positions < 0) | (positions >= n)]).size)]
    if problems:
        raise IndexError("; ".join(problems))
    exact, related, _, _, passes = _pair_facts(truth, rows, cols)
    return np.where(passes, np.where(exact, 2, np.where(related, 1, 0)), 0).astype(np.int8)


# --------------------------------------------------------------------------- history


def _csr_index(lists: list[list[int]], n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverted index key -> members as (indptr, members)."""
    keys = np.fromiter((k for x in lists for k in x), dtype=np.int64)
    owners = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    order = np.argsort(keys, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n_keys))])
    return indptr, owners[order]


def _keyword_candidates(rng, register: DemoRegister, n_each: int) -> list[np.ndarray]:
    """What an earlier, worse matcher proposed: for each buyer, SMEs drawn by character-trigram overlap of the
    texts (a keyword search), whatever they really make."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [s.products for s in register.suppliers] + [b.needs for b in register.buyers]
    X = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=2).fit_transform(texts)
    X_s, X_b = X[:len(register.suppliers)], X[len(register.suppliers):]
    found = []
    for start in range(0, X_b.shape[0], 256):
        block = (X_b[start:start + 256] @ X_s.T).toarray()
        for row in block:
            top = np.argsort(-row)[:4 * n_each]
            weights = row[top] + 1e-9
            found.append(rng.choice(top, size=min(n_each, len(top)), replace=False, p=weights / weights.sum()))
    return found


def _buyer_preferences(rng, n_buyers: int) -> dict[str, np.ndarray]:
    """Each buyer's own taste, hidden from the profiles: how far it will go, whether it keeps to its region,
    how it feels about clusters, size, export readiness, certificates and OTOP producers."""
    return {
        "km_scale": 300.0 * np.exp(rng.normal(0.0, 0.7, n_buyers)),
        "region_loyal": (rng.random(n_buyers) < 0.35).astype(float),
        "cluster_taste": rng.normal(0.0, 0.9, n_buyers),
        "size_taste": rng.normal(0.0, 0.7, n_buyers),
        "export_taste": rng.normal(0.0, 0.6, n_buyers),
        "cert_taste": rng.normal(0.0, 0.5, n_buyers),
        "otop_taste": rng.normal(0.0, 0.6, n_buyers),
    }


def _capacity_and_share(register: DemoRegister, rows, cols):
    capacity = np.array([np.nan if s.capacity_thb_per_month is None else s.capacity_thb_per_month
                         for s in register.suppliers])[rows]
    demand = np.array([np.nan if b.demand_thb_per_month is None else b.demand_thb_per_month
                       for b in register.buyers])[cols]
    return capacity, demand / np.maximum(np.array([b.max_suppliers for b in register.buyers])[cols], 1)


def _utility(register: DemoRegister, rows, cols, *, with_preferences: bool = True) -> np.ndarray:
    """What a buyer weighs when it says yes to a proposal, before chance: the product (exact or related),
    distance, missing certificates, capacity shortfall, export readiness for traders, OTOP for retailers, and,
    with ``with_preferences``, the buyer's own taste (a register made with ``hard``)."""
    truth = _truth_arrays(register)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    exact, related, km, missing, passes = _pair_facts(truth, rows, cols)
    capacity, share = _capacity_and_share(register, rows, cols)
    shortfall = np.nan_to_num(np.clip(np.log(share / capacity), 0.0, 2.0))
    buyer_type = np.array([b.buyer_type for b in register.buyers], dtype=object)[cols]
    trader = (buyer_type == "exporter") | (buyer_type == "importer")
    export_ready = np.array([s.export_ready for s in register.suppliers])[rows]
    otop = np.array([s.otop for s in register.suppliers])[rows]
    cert_gap = missing / np.maximum(truth["b_n_certs"][cols], 1.0)
    too_far = km > truth["max_km"][cols]
    preferences = register.buyer_preferences
    if preferences and with_preferences:
        # Each buyer's own taste (hidden from the profiles): only its history can teach it.
        in_cluster = np.array([bool(s.cluster) for s in register.suppliers])[rows]
        same_region = (np.array([s.region for s in register.suppliers], dtype=object)[rows]
                       == np.array([b.region for b in register.buyers], dtype=object)[cols])
        log_capacity = np.log(np.array([np.nan if s.capacity_thb_per_month is None else s.capacity_thb_per_month
                                        for s in register.suppliers]))
        size = np.nan_to_num((np.log(capacity) - np.nanmean(log_capacity)) / (np.nanstd(log_capacity) or 1.0))
        n_certs = np.array([len(s.certifications) for s in register.suppliers], dtype=float)
        taste = (-km / preferences["km_scale"][cols] + 0.9 * preferences["region_loyal"][cols] * same_region
                 + preferences["cluster_taste"][cols] * in_cluster + preferences["size_taste"][cols] * size
                 + preferences["export_taste"][cols] * export_ready
                 + preferences["cert_taste"][cols] * (n_certs[rows] - n_certs.mean())
                 + preferences["otop_taste"][cols] * otop)
    else:
        taste = -km / 300.0
    return (3.0 * exact + 1.2 * (related & ~exact) + taste - 2.0 * cert_gap - 1.5 * too_far
            - 0.5 * shortfall + np.where(trader, np.where(export_ready, 0.7, -0.3), 0.0)
            + 0.6 * ((buyer_type == "retailer") & otop))


def profile_utility(register: DemoRegister, supplier_positions, buyer_positions) -> np.ndarray:
    """How much a buyer would want each pair, as a perfect reader of the two profiles would judge it.

    The generator's own utility of a proposal without chance and without the
    buyer's hidden taste: product (exact or related), distance, certificates,
    capacity, route. Pairs that break a hard constraint get ``-inf``. A
    benchmark ranks by it to know how well the profiles alone can do.

    Examples
    --------
    >>> reg = make_register(60, 8, random_state=1)
    >>> profile_utility(reg, [0, 1], [3, 3]).shape
    (2,)
    """
    rows, cols = np.broadcast_arrays(np.asarray(supplier_positions, dtype=np.int64),
                                     np.asarray(buyer_positions, dtype=np.int64))
    _, _, _, _, passes = _pair_facts(_truth_arrays(register), rows.ravel(), cols.ravel())
    utility = _utility(register, rows.ravel(), cols.ravel(), with_preferences=False)
    return np.where(passes, utility, -np.inf).reshape(rows.shape)


def _generate_history(rng, register: DemoRegister, proposals_per_buyer: tuple[int, int],
                      style: _Style = _Style()) -> list[Partnership]:
    truth = _truth_arrays(register)
    item_index, group_index = _ITEM_INDEX, _GROUP_INDEX
    item_ptr, item_members = _csr_index(truth["s_item_lists"], len(ITEMS))
    group_ptr, group_members = _csr_index(truth["s_group_lists"], truth["n_groups"])
    s_sector = np.array([SECTORS.index(s.sector) for s in register.suppliers])
    sector_ptr, sector_members = _csr_index([[c] for c in s_sector], len(SECTORS))
    n_suppliers = len(register.suppliers)
    keyword = _keyword_candidates(rng, register, 20) if style.hard else None

    def draw(ptr, members, keys, size):
        keys = np.asarray(keys, dtype=np.int64)
        keys = keys[ptr[keys + 1] > ptr[keys]]
        if size == 0 or not len(keys):
            return np.empty(0, dtype=np.int64)
        picked = keys[rng.integers(0, len(keys), size)]
        lengths = ptr[picked + 1] - ptr[picked]
        return members[ptr[picked] + (rng.random(size) * lengths).astype(np.int64)]

    low, high = proposals_per_buyer
    all_rows, all_cols = [], []
    for j, buyer in enumerate(register.buyers):
        needed = [item_index[k] for k in register.buyer_items[j]]
        needed_groups = sorted({group_index[g] for k in needed for g in ITEMS[k].groups})
        if style.hard:
            # Half the proposals came from matchmakers who knew the SMEs, half from a keyword search.
            n_exact, n_related, n_sector, n_any = rng.multinomial(24, [0.6, 0.25, 0.12, 0.03])
            extra = keyword[j]
        else:
            # Matchmakers propose mostly SMEs that make what is asked, then the same family, then the sector.
            n_exact, n_related, n_sector, n_any = rng.multinomial(48, [0.6, 0.25, 0.12, 0.03])
            extra = np.empty(0, dtype=np.int64)
        candidates = np.unique(np.concatenate([
            draw(item_ptr, item_members, needed, n_exact),
            draw(group_ptr, group_members, needed_groups, n_related),
            draw(sector_ptr, sector_members, [SECTORS.index(buyer.sector)], n_sector),
            rng.integers(0, n_suppliers, n_any),
            extra,
        ]))
        if not len(candidates):
            continue
        _, _, km, _, passes = _pair_facts(truth, candidates, np.full(len(candidates), j))
        weights = np.exp(-km / 400.0) * np.where(passes, 1.0, 0.25) + 1e-12
        n_proposals = min(int(rng.integers(low, high + 1)), len(candidates))
        chosen = rng.choice(candidates, size=n_proposals, replace=False, p=weights / weights.sum())
        all_rows.append(chosen)
        all_cols.append(np.full(n_proposals, j))
    rows = np.concatenate(all_rows) if all_rows else np.empty(0, dtype=np.int64)
    cols = np.concatenate(all_cols) if all_cols else np.empty(0, dtype=np.int64)

    # Latent utility: what a buyer weighs when it says yes.
    utility = _utility(register, rows, cols) + rng.logistic(0.0, 1.0, len(rows))
    positive = utility > 1.5
    deal = positive & (utility - rng.logistic(0.0, 1.0, len(rows)) > 3.5)
    outcome = np.where(deal, "deal", np.where(positive, "accepted", "rejected"))
    days = rng.integers(0, (_DATE_LAST - _DATE_FIRST).days + 1, len(rows))
    capacity, share = _capacity_and_share(register, rows, cols)
    value = np.round(np.fmin(capacity, share) * rng.uniform(0.3, 1.0, len(rows)), -3)

    order = np.lexsort((days, cols))
    records = []
    for p in order:
        records.append(Partnership(
            supplier_id=register.suppliers[rows[p]].supplier_id,
            buyer_id=register.buyers[cols[p]].buyer_id,
            outcome=str(outcome[p]),
            date=_DATE_FIRST + dt.timedelta(days=int(days[p])),
            value_thb=float(value[p]) if deal[p] and np.isfinite(value[p]) else None,
        ))
    return records


# --------------------------------------------------------------------------- public entry points


def make_register(n_suppliers: int = 2000, n_buyers: int = 200, *, random_state=0,
                  proposals_per_buyer: tuple[int, int] | None = None, cross_language: bool = False,
                  hard: bool = False) -> DemoRegister:
    """Generate a realistic Thai register of SMEs, buyers and past proposals.

    The same ``random_state`` gives the same register. Sectors, places,
    capacities, certifications, clusters and texts follow DIP's programme
    (see the module docstring); about a tenth of the buyers want more a month
    than any SME of their sector can make, so they need a group.

    Parameters
    ----------
    n_suppliers : int
        Number of SMEs (ids ``S00001``...).
    n_buyers : int
        Number of buyers (ids ``B0001``...).
    random_state : int, numpy Generator or None
        Seed for every random draw; nothing is seeded globally.
    proposals_per_buyer : (int, int), optional
        Inclusive range of past proposals per buyer: (3, 6) by default, (4, 24) with ``hard``.
    cross_language : bool
        Every SME writes its products in Thai only and every buyer its needs in
        English only: the hardest case, where no shared string links the two.
    hard : bool
        A register as messy as real ones, for benchmarks: about a third of the
        items drawn from a long tail that no vocabulary lists
        (:data:`~tiermatch.datasets._longtail.LONG_TAIL`), 12% of product
        phrases typed with a slip (a Thai tone mark, two letters swapped), more
        Thai-only SMEs, crafts traded by buyers of "other" goods, buyers with a
        taste of their own (``buyer_preferences``), and a history half proposed
        by matchmakers who knew the SMEs and half by a keyword search.

    Returns
    -------
    DemoRegister
        Validated records, the written rows, and the catalogue items each
        profile really offers or needs.

    Raises
    ------
    ValueError
        If a size is below 1 or ``proposals_per_buyer`` is not a range of
        non-negative integers.

    Examples
    --------
    >>> reg = make_register(50, 5, random_state=7)
    >>> len(reg.suppliers), len(reg.buyers), reg.suppliers[0].supplier_id, reg.buyers[0].buyer_id
    (50, 5, 'S00001', 'B0001')
    >>> reg == make_register(50, 5, random_state=7)
    True
    >>> {p.outcome for p in reg.partnerships} <= {"accepted", "rejected", "deal"}
    True
    """
    problems = []
    if int(n_suppliers) < 1:
        problems.append(f"expected n_suppliers >= 1, but n_suppliers = {n_suppliers}")
    if int(n_buyers) < 1:
        problems.append(f"expected n_buyers >= 1, but n_buyers = {n_buyers}")
    low, high = proposals_per_buyer or ((4, 24) if hard else (3, 6))
    if not 0 <= low <= high:
        problems.append(f"expected 0 <= low <= high in proposals_per_buyer, found {proposals_per_buyer}")
    if problems:
        raise ValueError("; ".join(problems))
    rng = np.random.default_rng(random_state)
    rnd = random.Random(int(rng.integers(2**63)))
    province_list = list(provinces())
    names = [p.name_en for p in province_list]
    style = _Style(hard=hard, cross_language=cross_language)
    # Some items are asked for and made far more than others (a Zipf-like market); the long tail only when hard.
    popularity = rng.gamma(1.5, 1.0, len(CATALOG)) + 0.05
    tail = rng.gamma(1.5, 1.0, len(LONG_TAIL)) * style.long_tail_weight if hard else np.zeros(len(LONG_TAIL))
    popularity = np.concatenate([popularity, tail])

    s_rows, suppliers, s_items = _generate_suppliers(rng, rnd, int(n_suppliers), names, province_list, popularity,
                                                     style)
    capacity = np.array([np.nan if s.capacity_thb_per_month is None else s.capacity_thb_per_month
                         for s in suppliers])
    s_sector = np.array([s.sector for s in suppliers], dtype=object)
    b_rows, buyers, b_items = _generate_buyers(rng, rnd, int(n_buyers), names, province_list, popularity,
                                               np.nan_to_num(capacity), s_sector, style)
    register = DemoRegister(suppliers=suppliers, buyers=buyers, partnerships=[], supplier_items=s_items,
                            buyer_items=b_items, supplier_rows=s_rows, buyer_rows=b_rows,
                            buyer_preferences=_buyer_preferences(rng, len(buyers)) if hard else {})
    register.partnerships = _generate_history(rng, register, (int(low), int(high)), style)
    return register


def write_register(register: DemoRegister, directory) -> dict[str, Path]:
    """Write ``suppliers.csv``, ``buyers.csv`` and ``partnerships.csv`` in the interchange format.

    UTF-8, comma-separated, ``;`` between list items, every column of
    ``interchange.md`` (plus ``value_thb`` on partnerships). Supplier and
    buyer rows are written as generated, with Thai spellings and aliases;
    each file is written atomically.

    Parameters
    ----------
    register : DemoRegister
    directory : str or Path
        Created if missing.

    Returns
    -------
    dict of str to Path
        ``{"suppliers": ..., "buyers": ..., "partnerships": ...}``.

    Examples
    --------
    >>> import tempfile
    >>> from tiermatch.io import read_suppliers
    >>> reg = make_register(30, 4, random_state=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_register(reg, tmp)
    ...     len(read_suppliers(paths["suppliers"]).records)
    30
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    supplier_rows = register.supplier_rows or [interchange_row(s, _SUPPLIER_COLUMNS) for s in register.suppliers]
    buyer_rows = register.buyer_rows or [interchange_row(b, _BUYER_COLUMNS) for b in register.buyers]
    paths = {name: directory / f"{name}.csv" for name in ("suppliers", "buyers", "partnerships")}
    write_rows(paths["suppliers"], _SUPPLIER_COLUMNS, supplier_rows)
    write_rows(paths["buyers"], _BUYER_COLUMNS, buyer_rows)
    write_partnerships(paths["partnerships"], register.partnerships)
    return paths


def split_partnerships(partnerships, *, n_test_per_buyer: int = 1, by: str = "date", random_state=None,
                       positive_only: bool = False) -> tuple[list[Partnership], list[Partnership]]:
    """Hold out proposals per buyer, for ranking evaluation.

    For every buyer with more than ``n_test_per_buyer`` eligible proposals,
    the latest (``by="date"``) or randomly drawn (``by="random"``) eligible
    ones go to the test list; everything else stays in training. Order
    within each list follows the input.

    Parameters
    ----------
    partnerships : sequence of Partnership
    n_test_per_buyer : int
    by : {"date", "random"}
    random_state : int, numpy Generator or None
        Used when ``by="random"``.
    positive_only : bool
        Hold out only ``accepted`` and ``deal`` proposals (the ones a ranking
        should put on top); a buyer keeps at least one proposal in training.

    Returns
    -------
    train, test : list of Partnership

    Raises
    ------
    ValueError
        If ``by`` is unknown or ``n_test_per_buyer`` is below 1.

    Examples
    --------
    >>> reg = make_register(200, 10, random_state=3)
    >>> train, test = split_partnerships(reg.partnerships)
    >>> len(train) + len(test) == len(reg.partnerships), len({p.buyer_id for p in test}) == 10
    (True, True)
    """
    if by not in ("date", "random"):
        raise ValueError(f"expected by in ('date', 'random'), found {by!r}")
    if n_test_per_buyer < 1:
        raise ValueError(f"expected n_test_per_buyer >= 1, but n_test_per_buyer = {n_test_per_buyer}")
    rng = np.random.default_rng(random_state)
    by_buyer: dict[str, list[int]] = {}
    for k, p in enumerate(partnerships):
        by_buyer.setdefault(p.buyer_id, []).append(k)
    held: set[int] = set()
    for positions in by_buyer.values():
        eligible = [k for k in positions if not positive_only or partnerships[k].outcome != "rejected"]
        limit = min(n_test_per_buyer, len(positions) - 1, len(eligible))
        if limit < 1:
            continue
        if by == "date":
            eligible.sort(key=lambda k: (partnerships[k].date or dt.date.min, k))
            held.update(eligible[-limit:])
        else:
            held.update(int(k) for k in rng.choice(eligible, size=limit, replace=False))
    train = [p for k, p in enumerate(partnerships) if k not in held]
    test = [p for k, p in enumerate(partnerships) if k in held]
    return train, test

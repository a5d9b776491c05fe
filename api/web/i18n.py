"""The pages' words in English and Thai: one table, looked up by key and language."""

from __future__ import annotations

from ...features.reference import find_province

__all__ = ["LANGUAGES", "label", "province_label", "translate"]

LANGUAGES = ("en", "th")

# key -> (English, Thai)
STRINGS: dict[str, tuple[str, str]] = {
    "app": ("tiermatch", "tiermatch"),
    "tagline": ("SME-buyer matching, DIP cluster programme", "จับคู่ธุรกิจ SME กับผู้ซื้อ โครงการคลัสเตอร์ กสอ."),
    "sign_in": ("Sign in", "เข้าสู่ระบบ"),
    "sign_out": ("Sign out", "ออกจากระบบ"),
    "api_key": ("API key", "คีย์ API"),
    "or_password": ("or a username and password", "หรือชื่อผู้ใช้และรหัสผ่าน"),
    "username": ("Username", "ชื่อผู้ใช้"),
    "password": ("Password", "รหัสผ่าน"),
    "bad_credentials": ("That key, or that username and password, is not valid.",
                        "คีย์หรือชื่อผู้ใช้และรหัสผ่านไม่ถูกต้อง"),
    "insecure": ("This service keeps sessions in secure cookies, which this browser will not send over plain HTTP: "
                 "open it over HTTPS, or set TIERMATCH_SESSION_HTTPS_ONLY=false on a trusted network.",
                 "บริการนี้ใช้คุกกี้แบบปลอดภัย ซึ่งเบราว์เซอร์จะไม่ส่งผ่าน HTTP ธรรมดา: เปิดผ่าน HTTPS "
                 "หรือตั้งค่า TIERMATCH_SESSION_HTTPS_ONLY=false ในเครือข่ายที่เชื่อถือได้"),
    "signed_in_as": ("Signed in as", "เข้าสู่ระบบเป็น"),
    "role_admin": ("administrator", "ผู้ดูแลระบบ"),
    "role_matchmaker": ("matchmaker", "ผู้จับคู่ธุรกิจ"),
    "role_buyer": ("buyer", "ผู้ซื้อ"),
    "dashboard": ("Dashboard", "ภาพรวม"),
    "buyers": ("Buyers", "ผู้ซื้อ"),
    "suppliers": ("SMEs", "ผู้ประกอบการ SME"),
    "runs": ("Runs", "การจับคู่"),
    "users": ("Users", "ผู้ใช้"),
    "language": ("ภาษาไทย", "English"),
    "register": ("The register", "ทะเบียน"),
    "smes_by_sector": ("SMEs by sector", "SME ตามสาขา"),
    "buyers_by_sector": ("Buyers by sector", "ผู้ซื้อตามสาขา"),
    "smes_by_region": ("SMEs by region", "SME ตามภาค"),
    "buyers_by_region": ("Buyers by region", "ผู้ซื้อตามภาค"),
    "clusters": ("Clusters (largest)", "คลัสเตอร์ (ใหญ่ที่สุด)"),
    "no_cluster": ("no cluster", "ไม่มีคลัสเตอร์"),
    "last_runs": ("Last runs: coverage", "การจับคู่ล่าสุด: ความครอบคลุม"),
    "buyers_matched": ("buyers matched", "ผู้ซื้อที่ได้คู่"),
    "smes_matched": ("SMEs matched", "SME ที่ได้คู่"),
    "partnerships": ("recorded outcomes", "ผลที่บันทึกแล้ว"),
    "no_runs": ("No run yet.", "ยังไม่มีการจับคู่"),
    "shortlist": ("Shortlist", "รายชื่อที่คัดเลือก"),
    "shortlist_of": ("Shortlist of", "รายชื่อ SME ที่คัดเลือกสำหรับ"),
    "rank": ("Rank", "อันดับ"),
    "sme": ("SME", "SME"),
    "buyer": ("Buyer", "ผู้ซื้อ"),
    "score": ("Score", "คะแนน"),
    "reasons": ("Reasons", "เหตุผล"),
    "certifications": ("Certifications", "มาตรฐานที่ได้รับ"),
    "distance": ("Distance", "ระยะทาง"),
    "capacity": ("Capacity (THB/month)", "กำลังการผลิต (บาท/เดือน)"),
    "sector": ("Sector", "สาขา"),
    "province": ("Province", "จังหวัด"),
    "region": ("Region", "ภาค"),
    "certification": ("Certification", "มาตรฐาน"),
    "any": ("any", "ทั้งหมด"),
    "filter": ("Filter", "กรอง"),
    "clear": ("Clear", "ล้าง"),
    "show_all": ("Show all stored ranks", "แสดงทุกอันดับที่เก็บไว้"),
    "showing": ("Showing", "แสดง"),
    "of": ("of", "จาก"),
    "explain": ("Why?", "ทำไม?"),
    "explanation": ("Why this pair", "เหตุผลของการจับคู่นี้"),
    "feature": ("Feature", "ปัจจัย"),
    "value": ("Value", "ค่า"),
    "weight": ("Prior weight", "น้ำหนักเริ่มต้น"),
    "meaning": ("Meaning", "ความหมาย"),
    "assigned": ("Proposed partnership", "เสนอให้เป็นคู่ค้า"),
    "not_assigned": ("Ranked, not proposed", "จัดอันดับแล้ว ยังไม่เสนอ"),
    "group": ("Group", "กลุ่ม"),
    "scorer": ("Scored by", "ให้คะแนนโดย"),
    "accept": ("Accept", "ยอมรับ"),
    "reject": ("Reject", "ปฏิเสธ"),
    "deal": ("Deal", "ตกลงซื้อขาย"),
    "outcome_accepted": ("accepted", "ยอมรับ"),
    "outcome_rejected": ("rejected", "ปฏิเสธ"),
    "outcome_deal": ("deal", "ตกลงซื้อขาย"),
    "feedback": ("Feedback", "ผลตอบรับ"),
    "feedback_saved": ("Recorded: {outcome} for {supplier}.", "บันทึกแล้ว: {outcome} สำหรับ {supplier}"),
    "back_to_shortlist": ("Back to the shortlist", "กลับไปที่รายชื่อ"),
    "profile": ("Profile", "ข้อมูล"),
    "products": ("Products", "สินค้า"),
    "needs": ("Needs", "ความต้องการ"),
    "employees": ("Employees", "พนักงาน"),
    "cluster": ("Cluster", "คลัสเตอร์"),
    "export_ready": ("Export ready", "พร้อมส่งออก"),
    "otop": ("OTOP", "OTOP"),
    "yes": ("yes", "ใช่"),
    "no": ("no", "ไม่"),
    "approach": ("Buyers to approach", "ผู้ซื้อที่ควรติดต่อ"),
    "buyer_type": ("Type", "ประเภท"),
    "type_first_tier": ("first-tier manufacturer", "ผู้ผลิตลำดับที่ 1"),
    "type_exporter": ("exporter", "ผู้ส่งออก"),
    "type_importer": ("importer", "ผู้นำเข้า"),
    "type_retailer": ("retailer", "ผู้ค้าปลีก"),
    "start_run": ("Start a run", "เริ่มการจับคู่"),
    "top_k": ("Shortlist length", "จำนวนในรายชื่อ"),
    "min_score": ("Minimum score to propose", "คะแนนขั้นต่ำที่เสนอ"),
    "fair": ("Fair exposure", "กระจายโอกาสอย่างเป็นธรรม"),
    "slots": ("Meeting slots (matchmaking day)", "จำนวนช่วงเวลานัดพบ (วันจับคู่ธุรกิจ)"),
    "run": ("Run", "การจับคู่"),
    "status": ("Status", "สถานะ"),
    "stage": ("Stage", "ขั้นตอน"),
    "created": ("Started", "เริ่มเมื่อ"),
    "finished": ("Finished", "เสร็จเมื่อ"),
    "status_queued": ("queued", "รอคิว"),
    "status_running": ("running", "กำลังทำงาน"),
    "status_completed": ("completed", "เสร็จแล้ว"),
    "status_failed": ("failed", "ล้มเหลว"),
    "progress_note": ("This page refreshes itself until the run ends.", "หน้านี้จะรีเฟรชเองจนกว่าการจับคู่จะเสร็จ"),
    "error": ("Error", "ข้อผิดพลาด"),
    "results": ("Results", "ผลลัพธ์"),
    "assignment": ("Assignment", "การจับคู่ที่เสนอ"),
    "groups": ("Groups of SMEs", "กลุ่ม SME"),
    "agenda": ("Matchmaking day agenda", "ตารางนัดหมายวันจับคู่ธุรกิจ"),
    "agenda_by_buyer": ("Agenda per buyer", "ตารางนัดตามผู้ซื้อ"),
    "agenda_by_supplier": ("Agenda per SME", "ตารางนัดตาม SME"),
    "slot": ("Slot", "ช่วงเวลา"),
    "unscheduled": ("Without a slot", "ยังไม่มีช่วงเวลา"),
    "no_agenda": ("This run was not a matchmaking day (start a run with meeting slots).",
                  "การจับคู่นี้ไม่ใช่วันจับคู่ธุรกิจ (เริ่มการจับคู่โดยระบุจำนวนช่วงเวลา)"),
    "download_csv": ("CSV", "CSV"),
    "download": ("Download", "ดาวน์โหลด"),
    "print": ("Print", "พิมพ์"),
    "demand": ("Demand (THB/month)", "ความต้องการ (บาท/เดือน)"),
    "volume": ("Volume (THB/month)", "ปริมาณ (บาท/เดือน)"),
    "coverage": ("Coverage", "ความครอบคลุม"),
    "members": ("Members", "สมาชิก"),
    "no_groups": ("No groups in this run.", "ไม่มีกลุ่มในการจับคู่นี้"),
    "summary": ("Summary", "สรุป"),
    "candidate_pairs": ("candidate pairs", "คู่ที่เป็นไปได้"),
    "assigned_pairs": ("proposed partnerships", "คู่ค้าที่เสนอ"),
    "previous": ("Previous", "ก่อนหน้า"),
    "next": ("Next", "ถัดไป"),
    "search_id": ("Id or name", "รหัสหรือชื่อ"),
    "forbidden": ("You may not see this page.", "คุณไม่มีสิทธิ์เข้าถึงหน้านี้"),
    "not_found": ("Not found.", "ไม่พบข้อมูล"),
    "no_completed_run": ("No completed run yet: a matchmaker starts one on the Runs page.",
                         "ยังไม่มีการจับคู่ที่เสร็จสมบูรณ์: ผู้จับคู่ธุรกิจเริ่มได้ที่หน้าการจับคู่"),
    "add_user": ("Add a user", "เพิ่มผู้ใช้"),
    "buyer_id": ("Buyer id (buyer role)", "รหัสผู้ซื้อ (สำหรับบทบาทผู้ซื้อ)"),
    "role": ("Role", "บทบาท"),
    "user_added": ("User {username} added.", "เพิ่มผู้ใช้ {username} แล้ว"),
    "session_expired": ("The form expired; please try again.", "แบบฟอร์มหมดอายุ กรุณาลองใหม่"),
    "km": ("km", "กม."),
    "count": ("Count", "จำนวน"),
}

SECTOR_LABELS = {
    "automotive": ("Automotive and parts", "ยานยนต์และชิ้นส่วน"),
    "cosmetics": ("Cosmetics", "เครื่องสำอาง"),
    "gems_jewelry": ("Gems and jewelry", "อัญมณีและเครื่องประดับ"),
    "processed_food": ("Processed food", "อาหารแปรรูป"),
    "textiles_garments": ("Textiles and garments", "สิ่งทอและเครื่องนุ่งห่ม"),
    "palm_oil": ("Palm oil", "ปาล์มน้ำมัน"),
    "other": ("Other", "อื่น ๆ"),
}
REGION_LABELS = {
    "Central": ("Central", "ภาคกลาง"),
    "East": ("East", "ภาคตะวันออก"),
    "North": ("North", "ภาคเหนือ"),
    "Northeast": ("Northeast", "ภาคตะวันออกเฉียงเหนือ"),
    "South": ("South", "ภาคใต้"),
    "West": ("West", "ภาคตะวันตก"),
}


def translate(key: str, lang: str, **values) -> str:
    """The UI string ``key`` in ``lang`` (``en`` or ``th``), with ``values`` filled in.

    Examples
    --------
    >>> translate("sign_in", "th")
    'เข้าสู่ระบบ'
    >>> translate("feedback_saved", "en", outcome="deal", supplier="S1")
    'Recorded: deal for S1.'
    """
    text = STRINGS[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def label(kind: str, value: str | None, lang: str) -> str:
    """A sector or region (``kind``) in ``lang``; unknown values as they are."""
    table = SECTOR_LABELS if kind == "sector" else REGION_LABELS
    names = table.get(value or "")
    return names[LANGUAGES.index(lang)] if names else (value or "")


def province_label(name: str | None, lang: str) -> str:
    """A province's name in ``lang``."""
    province = find_province(name) if name else None
    if province is None:
        return name or ""
    return province.name_th if lang == "th" else province.name_en

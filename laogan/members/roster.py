"""Rosters as centres keep them in Excel: find the header row, map the columns, check every row and match it to the
archive by ID number; and the export that the importer reads back unchanged.

Nothing here writes to the database: `analyse` reads the units and the matching members in bulk and returns a
RosterReport saying, row by row, what an import would do; actions.do_import_roster writes it.

Rules an import follows, so that re-importing a file, or importing an export, changes nothing:
- a row is matched to a member by the ID number (its keyed hash), which every row must therefore have;
- an empty cell never clears a stored value, and a column the file lacks is left alone;
- a less precise date (1928年5月) never overwrites a stored day in the same month;
- free text (address, former unit, notes…) is compared as typed, only trimmed.
Reasons are in Chinese, like those of lib.idcard and lib.datetext: they go into the error sheet handed back to
whoever keeps the roster.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError

from laogan.accounts.models import Unit, UnitKind
from laogan.lib import datetext, idcard
from laogan.lib.crypto import lookup_hash
from laogan.lib.spreadsheet import SpreadsheetError, unquote_formula_guard

from .models import BirthdayCustom, Category, DatePrecision, Member, MemberPhone, PhoneLabel, Sex, Status, validate_phone

NEW, UPDATE, UNCHANGED, REJECTED = "new", "update", "unchanged", "rejected"
HEADER_SEARCH_ROWS = 30
BATCH = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name the export writes
    synonyms: tuple = ()
    max_length: int = 0


COLUMNS = [
    Column("name", "姓名", ("名字", "成员姓名", "老干部姓名", "干部姓名"), 50),
    Column("sex", "性别"),
    Column("ethnicity", "民族", (), 20),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间", "生日")),
    Column("birthday_custom", "生日类型", ("过生日习惯", "生日历法", "公历农历", "过公历或农历生日")),
    Column("id_number", "身份证号", ("公民身份号码", "身份证号码", "身份证", "证件号码", "身份证件号码", "公民身份证号码")),
    Column("category", "类别", ("离退休类别", "离退休", "人员类别", "干部类别", "离休退休")),
    Column("is_party_member", "政治面貌", ("是否党员", "是否中共党员")),
    Column("party_join_date", "入党时间", ("入党日期", "入党年月", "政治生日")),
    Column("work_start_date", "参加工作时间", ("参加工作日期", "参加工作年月", "工作时间")),
    Column("retirement_date", "离退休时间", ("离退休日期", "离休时间", "退休时间", "离休日期", "退休日期", "离退休年月")),
    Column("former_unit", "原工作单位", ("原单位", "工作单位", "离退休前工作单位", "原工作单位名称"), 100),
    Column("former_post", "原职务", ("职务", "原任职务", "离退休前职务", "原职务职级"), 100),
    Column("treatment_level", "待遇", ("享受待遇", "待遇级别", "享受待遇级别", "现享受待遇"), 50),
    Column("group", "党小组", ("所在党小组", "所属党小组", "党小组名称", "党支部党小组")),
    Column("address", "现住址", ("家庭住址", "住址", "居住地址", "现居住地址", "家庭地址", "地址", "现居住地")),
    Column("phone", "联系电话", ("电话", "手机", "手机号码", "手机号", "联系方式", "电话号码", "移动电话")),
    Column("home_phone", "家庭电话", ("固定电话", "住宅电话", "座机", "宅电")),
    Column("health_notes", "健康状况", ("身体状况", "健康情况")),
    Column("lives_alone", "独居", ("是否独居",)),
    Column("disabled", "失能", ("是否失能",)),
    Column("bedridden", "卧床", ("是否卧床", "长期卧床")),
    Column("notes", "备注", ("其他", "说明")),
]
BY_HEADER = {name: c for c in COLUMNS for name in (c.header, *c.synonyms)}
BY_KEY = {c.key: c for c in COLUMNS}
# Columns the export writes or rosters commonly have that the import deliberately leaves alone.
KNOWN_IGNORED = {"序号", "编号", "年龄", "状态", "去世日期", "所属单位", "所属支部", "所属中心", "行号", "错误原因"}
FOOTER_WORDS = ("合计", "总计", "小计", "共计", "制表", "审核", "填表", "填报", "负责人", "单位负责人", "以下空白",
                "注:", "说明:", "备注:", "盖章")

ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
TEXT_FIELDS = ("ethnicity", "former_unit", "former_post", "treatment_level", "address", "health_notes", "notes")
DATE_FIELDS = ("party_join_date", "work_start_date", "retirement_date")
BOOL_FIELDS = ("lives_alone", "disabled", "bedridden")
SEX_WORDS = {"男": Sex.MALE, "男性": Sex.MALE, "M": Sex.MALE, "MALE": Sex.MALE,
             "女": Sex.FEMALE, "女性": Sex.FEMALE, "F": Sex.FEMALE, "FEMALE": Sex.FEMALE}
CATEGORY_WORDS = {"离休": Category.LIXIU, "离休干部": Category.LIXIU, "离": Category.LIXIU,
                  "退休": Category.TUIXIU, "退休干部": Category.TUIXIU, "退": Category.TUIXIU}
CUSTOM_WORDS = {"公历": BirthdayCustom.SOLAR, "阳历": BirthdayCustom.SOLAR, "新历": BirthdayCustom.SOLAR,
                "农历": BirthdayCustom.LUNAR, "阴历": BirthdayCustom.LUNAR, "旧历": BirthdayCustom.LUNAR}
PARTY_WORDS = {"中共党员": True, "中国共产党党员": True, "共产党员": True, "党员": True, "中共预备党员": True,
               "预备党员": True, "是": True, "群众": False, "非党员": False, "否": False, "无党派人士": False,
               "无党派": False}
BOOL_WORDS = {"是": True, "有": True, "√": True, "✓": True, "Y": True, "YES": True, "TRUE": True, "1": True,
              "否": False, "无": False, "×": False, "N": False, "NO": False, "FALSE": False, "0": False}
LABELS = {"name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期", "birthday_custom": "生日类型",
          "category": "类别", "is_party_member": "政治面貌", "party_join_date": "入党时间",
          "work_start_date": "参加工作时间", "retirement_date": "离退休时间", "former_unit": "原工作单位",
          "former_post": "原职务", "treatment_level": "待遇", "unit": "党小组", "address": "现住址",
          "phones": "联系电话", "health_notes": "健康状况", "lives_alone": "独居", "disabled": "失能",
          "bedridden": "卧床", "notes": "备注"}


class RosterError(SpreadsheetError):
    """A readable file that is not a roster (no header row, no ID-number column); nothing is imported."""


@dataclass
class RowResult:
    row: int  # as Excel numbers it, title rows included
    name: str = ""
    id_number: str = ""
    outcome: str = REJECTED
    reasons: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # labels of the fields an update changes
    member: Member | None = None  # new or existing, with this row's values applied; unsaved
    phones: list | None = None  # [(label, number)] to store, or None to leave the phones alone
    cells: list | None = None  # the row as read, kept for rejected rows only (the error sheet)
    data: dict | None = None  # the row's checked values, until matched
    parsed: idcard.IdNumber | None = None
    id_hash: str = ""


@dataclass
class RosterReport:
    org: Unit
    header_row: int
    header: list
    ignored: list  # header names the import does not know
    rows: list

    def counts(self):
        counts = {NEW: 0, UPDATE: 0, UNCHANGED: 0, REJECTED: 0}
        for r in self.rows:
            counts[r.outcome] += 1
        return counts

    def summary_line(self):
        c = self.counts()
        return f"imported {c[NEW]}, updated {c[UPDATE]}, unchanged {c[UNCHANGED]}, rejected {c[REJECTED]}"

    def of(self, outcome):
        return [r for r in self.rows if r.outcome == outcome]


# -- reading the table --------------------------------------------------------------------------------------------

def _squash(text):
    """Return text with full-width forms folded and every space (including 　) removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def header_key(cell):
    """Return the column key for a header cell ("姓 名", "身份证号码(18位)*", …), or None."""
    if cell is None or cell == "":
        return None
    text = _squash(cell).rstrip(":*").lstrip("*")
    if text in BY_HEADER:
        return BY_HEADER[text].key
    bare = re.sub(r"[(\[【].*?[)\]】]", "", text).rstrip(":*")
    column = BY_HEADER.get(bare)
    return column.key if column else None


def find_header(table):
    """Return (index, {key: [column indexes]}, ignored names) of the header row below any title rows."""
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = defaultdict(list)
        for col, cell in enumerate(row):
            key = header_key(cell)
            if key:
                columns[key].append(col)
        if "name" in columns and len(columns) >= 2:
            if "id_number" not in columns:
                raise RosterError(f"第{index + 1}行是表头，但没有“身份证号”列：导入按身份证号认人，请加上这一列")
            ignored = [str(c).strip() for c in row if _filled(c) and not header_key(c) and _squash(c) not in KNOWN_IGNORED]
            return index, dict(columns), ignored
    raise RosterError(f"前{HEADER_SEARCH_ROWS}行中找不到表头行（应含“姓名”“身份证号”等列名）")


def _filled(cell):
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _cell_text(cell):
    """Return a cell as trimmed text: whole numbers without ".0", dates in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return unquote_formula_guard(str(cell).strip())


def parse_date_cell(cell):
    """Return (date, precision) for a date cell, or raise DateTextError.

    Excel turns what people type into numbers: 19280503 and 192805 stay digits, 1928.05 becomes the number
    1928.05 (year and month), and a date-formatted cell arrives as a date. A lone 1928.1 may be January or
    October (1928.10 loses its zero), so it is refused rather than guessed.
    """
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if 1880 <= cell < 2200 and not float(cell).is_integer():
            year, fraction = repr(float(cell)).split(".")
            if fraction == "1":
                raise datetext.DateTextError(f"“{cell}”看不出是1月还是10月，请写作{year}.01或{year}.10（或把该列设为文本）")
            return datetext.parse(f"{year}.{fraction}")
        if float(cell).is_integer() and (cell >= 100000 or 1880 <= cell < 2200):
            return datetext.parse(str(int(cell)))
    return datetext.parse(cell)


# -- checking rows --------------------------------------------------------------------------------------------------

def analyse(table, org, *, lock=False):
    """Return the RosterReport for a table read by lib.spreadsheet, for an import into `org`'s subtree.

    Queries are in bulk (units once, members and phones by batches of hashes), never one per row, so that a
    100,000-row file stays a few hundred queries. `lock` takes row locks on the matched members (inside the
    import's transaction), so an edit saved meanwhile cannot be overwritten unseen.
    """
    header_index, columns, ignored = find_header(table)
    groups = GroupResolver(org)
    results, seen = [], {}
    for index in range(header_index + 1, len(table)):
        row = table[index]
        result = _read_row(index + 1, row, columns, seen, header_index, table)
        if result is not None:
            results.append(result)
    existing = _existing_members([r for r in results if not r.reasons], lock=lock)
    phones = _existing_phones(existing.values()) if ("phone" in columns or "home_phone" in columns) else {}
    for result in results:
        if not result.reasons:
            _match(result, existing.get(result.id_hash), org, groups, phones)
        if result.reasons:
            result.outcome, result.member, result.cells = REJECTED, None, list(table[result.row - 1])
        result.data = result.parsed = None
    header = list(table[header_index])
    return RosterReport(org=org, header_row=header_index + 1, header=header, ignored=ignored, rows=results)


def _read_row(row_no, row, columns, seen, header_index, table):
    """Return a RowResult with the row's values in `data`, or None for a blank, repeated-header or footer row."""
    def cells(key):
        return [row[c] for c in columns.get(key, ()) if c < len(row) and _filled(row[c])]

    if not any(cells(key) for key in columns):
        return None
    if list(row) == list(table[header_index]):
        return None  # a header repeated on each printed page
    first = next((_squash(c) for c in row if _filled(c)), "")
    if first.startswith(FOOTER_WORDS) and not any(ID_LIKE.fullmatch(_squash(c)) for c in cells("id_number")):
        return None  # 合计, 制表人…: their text may stand in any column, the ID-number column included

    result, data = RowResult(row=row_no), {}
    reasons = result.reasons
    result.name = data["name"] = re.sub(r"\s+", "", _cell_text((cells("name") or [""])[0]))
    if not result.name:
        reasons.append("姓名为空")
    elif len(result.name) > BY_KEY["name"].max_length:
        reasons.append(f"姓名超过{BY_KEY['name'].max_length}个字")
    parsed = result.parsed = _read_id(cells("id_number"), reasons)
    if parsed:
        result.id_number, result.id_hash = parsed.number, lookup_hash(parsed.number)
        if parsed.number in seen:
            reasons.append(f"身份证号与第{seen[parsed.number]}行重复")
        else:
            seen[parsed.number] = row_no
    _read_identity(cells, parsed, data, reasons)
    _read_words(cells, data, reasons)
    for key in TEXT_FIELDS:
        for value in cells(key)[:1]:
            data[key] = _cell_text(value)
            if BY_KEY[key].max_length and len(data[key]) > BY_KEY[key].max_length:
                reasons.append(f"{LABELS[key]}超过{BY_KEY[key].max_length}个字")
    for value in cells("group")[:1]:
        data["group"] = _cell_text(value)
    texts = [(key, text) for key in ("phone", "home_phone") for value in cells(key)
             for text in re.split(r"[、,，;；/／\n]+", _cell_text(value)) if text.strip()]
    if texts:
        data["phones"] = _read_phones(texts, reasons)
    result.data = data
    return result


def _read_identity(cells, parsed, data, reasons):
    """Read sex and the dates, checking them against the ID number and each other."""
    for value in cells("sex")[:1]:
        data["sex"] = SEX_WORDS.get(_squash(value).upper())
        if data["sex"] is None:
            reasons.append(f"性别“{_cell_text(value)}”应为男或女")
        elif parsed and data["sex"] != parsed.sex:
            reasons.append(f"性别“{_cell_text(value)}”与身份证号（{'男' if parsed.sex == Sex.MALE else '女'}）不符")
    for key in ("birth_date", *DATE_FIELDS):
        for value in cells(key)[:1]:
            try:
                data[key] = parse_date_cell(value)
            except datetext.DateTextError as e:
                reasons.append(f"{LABELS[key]}：{e}")
    if parsed and "birth_date" in data:
        born, precision = data["birth_date"]
        if precision == datetext.DAY and born != parsed.birth_date:
            reasons.append(f"出生日期{born.isoformat()}与身份证号中的{parsed.birth_date.isoformat()}不符")
        elif (born.year, born.month) != (parsed.birth_date.year, parsed.birth_date.month):
            reasons.append(f"出生年月{born:%Y-%m}与身份证号中的{parsed.birth_date.isoformat()}不符")
    born = data["birth_date"][0] if "birth_date" in data else (parsed.birth_date if parsed else None)
    joined = data["party_join_date"][0] if "party_join_date" in data else None
    if born and joined and joined < born:
        reasons.append("入党时间早于出生日期")


def _read_words(cells, data, reasons):
    """Read the columns that take one of a few words: category, birthday custom, party membership, yes/no."""
    choices = [("category", CATEGORY_WORDS, "离休或退休"), ("birthday_custom", CUSTOM_WORDS, "公历或农历"),
               ("is_party_member", PARTY_WORDS, "中共党员或群众")] + [(key, BOOL_WORDS, "是或否") for key in BOOL_FIELDS]
    for key, words, expected in choices:
        for value in cells(key)[:1]:
            data[key] = words.get(_squash(_cell_text(value)).upper())
            if data[key] is None:
                reasons.append(f"{LABELS[key]}“{_cell_text(value)}”应为{expected}")


def _read_phones(texts, reasons):
    """Return [(label, number)] for the numbers of the phone columns, labelled by column or by their shape.

    Spaces inside a number are typing (139 0771 0001); spaces between two numbers are a separator, recognised
    when the whole is no number but every part is.
    """
    numbers = []
    for key, text in texts:
        try:
            found = [validate_phone(text)]
        except ValidationError:
            try:
                found = [validate_phone(part) for part in text.split()] if len(text.split()) > 1 else None
            except ValidationError:
                found = None
        if not found:
            reasons.append(f"电话“{text.strip()}”不是手机号（1开头的11位）或固定电话")
            continue
        for number in found:
            if number not in [n for _, n in numbers]:
                mobile = len(number) == 11 and number[0] == "1"
                label = PhoneLabel.HOME if key == "home_phone" else PhoneLabel.MOBILE if mobile else PhoneLabel.HOME
                numbers.append((label, number))
    return numbers


def _read_id(values, reasons):
    if not values:
        reasons.append("缺少身份证号（导入按身份证号认人）")
        return None
    value = values[0]
    text = _cell_text(value)
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if (numeric and value >= 1e15) or re.fullmatch(r"\d(\.\d+)?E\+?\d+", _squash(text).upper()):
        reasons.append(f"身份证号“{text}”被Excel当成数字存储，末几位已丢失；请把该列设为文本格式后重新录入")
        return None
    try:
        return idcard.parse(text)
    except idcard.IdNumberError as e:
        reasons.append(str(e))
        return None


def _existing_members(results, *, lock):
    hashes = [r.id_hash for r in results]
    found = {}
    for start in range(0, len(hashes), BATCH):
        members = Member.objects.filter(id_number_hash__in=hashes[start : start + BATCH]).select_related("unit")
        if lock:
            members = members.select_for_update(of=("self",))
        found.update((m.id_number_hash, m) for m in members)
    return found


def _existing_phones(members):
    ids = [m.pk for m in members]
    phones = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        for p in MemberPhone.objects.filter(member_id__in=ids[start : start + BATCH]).order_by("member_id", "order", "id"):
            phones[p.member_id].append(p)
    return phones


def _match(result, member, org, groups, phones):
    data, parsed = result.data, result.parsed
    if member is not None and not member.unit_path.startswith(org.path):
        result.reasons.append("该身份证号已登记在本单位范围以外的成员名下，不能在此导入")
        return
    unit = None
    if data.get("group"):
        candidates = groups.resolve(data["group"])
        if member is not None and member.unit in candidates:
            unit = member.unit
        elif len(candidates) == 1:
            unit = candidates[0]
        elif candidates:
            codes = "、".join(f"{u.name}（{u.code}）" for u in candidates[:5])
            result.reasons.append(f"党小组“{data['group']}”对应多个：{codes}，请写党小组编码")
            return
        else:
            result.reasons.append(f"党小组“{data['group']}”不在{org.name}之下")
            return
    if member is None:
        unit = unit or groups.default
        if unit is None:
            result.reasons.append("未填写党小组")
            return
        member = Member(unit=unit, id_number=parsed.number, sex=parsed.sex, birth_date=parsed.birth_date)
        _apply(member, data, [], new=True)
        result.member, result.outcome = member, NEW
        result.phones = data.get("phones", [])
        return
    changed = []
    if unit is not None and unit.pk != member.unit_id:
        member.unit = unit
        changed.append(LABELS["unit"])
    _apply(member, data, changed, new=False)
    if "phones" in data:
        stored = phones.get(member.pk, [])
        if [n for _, n in data["phones"]] != [p.number for p in stored]:
            labels = {p.number: p.label for p in stored}
            result.phones = [(labels.get(n, label), n) for label, n in data["phones"]]
            changed.append(LABELS["phones"])
    result.member, result.changed = member, changed
    result.outcome = UPDATE if changed else UNCHANGED


def _apply(member, data, changed, *, new):
    """Set the row's values on the member, noting the label of every field whose value changes."""
    def put(attr, value):
        if getattr(member, attr) != value:
            setattr(member, attr, value)
            changed.append(LABELS[attr])

    for key in ("name", "sex", "category", "birthday_custom", "is_party_member", *BOOL_FIELDS, *TEXT_FIELDS):
        if data.get(key) not in (None, ""):
            put(key, data[key])
    if "birth_date" in data:
        born, precision = data["birth_date"]
        if not _less_precise_same_month(member.birth_date, born, precision, member.birth_date_precision, new):
            if (member.birth_date, member.birth_date_precision) != (born, precision):
                member.birth_date, member.birth_date_precision = born, precision
                changed.append(LABELS["birth_date"])
    for key in DATE_FIELDS:
        if key in data:
            day, precision = data[key]
            if not _less_precise_same_month(getattr(member, key), day, precision, DatePrecision.DAY, new):
                put(key, day)


def _less_precise_same_month(stored, given, precision, stored_precision, new):
    return (not new and stored is not None and precision == datetext.MONTH and stored_precision == DatePrecision.DAY
            and (stored.year, stored.month) == (given.year, given.month))


class GroupResolver:
    """Find the party group (or branch) a roster names, under the import's unit.

    People write a group as its full name (第一党小组), its code, a short form (一组, 1组, 第1小组) or with the
    branch in front (甲支部第一党小组); all of these are compared by a key with ordinals as digits.
    """

    def __init__(self, org):
        self.units = list(Unit.objects.subtree(org).filter(kind__in=[UnitKind.BRANCH, UnitKind.GROUP]))
        self.branches = [u for u in self.units if u.kind == UnitKind.BRANCH]
        if org.kind in (UnitKind.BRANCH, UnitKind.GROUP):
            self.default = org
        elif len(self.branches) == 1:
            self.default = self.branches[0]
        else:
            self.default = None
        self._cache = {}

    def resolve(self, text):
        """Return the units `text` may mean: one when it is clear, several when ambiguous, none when unknown."""
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _resolve(self, text):
        value = _squash(text)
        found = _units_named(self.units, value)
        if found:
            return found
        # 甲支部第一党小组, 甲支部/一组: a branch's name in front of one of its groups.
        for branch in self.branches:
            prefix = _squash(branch.name)
            if value.startswith(prefix) and len(value) > len(prefix):
                found = _units_named([u for u in self.units if u.parent_id == branch.pk], value[len(prefix):].lstrip("/-·—_"))
                if found:
                    return found
        return []


def _units_named(units, value):
    """Return the units whose name, else code, else group key is `value`."""
    key = group_key(value)
    for same in (lambda u: _squash(u.name) == value, lambda u: u.code == value.lower(), lambda u: group_key(u.name) == key):
        found = [u for u in units if same(u)]
        if found:
            return found
    return []


CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text):
    if "十" not in text:
        return "".join(str(CN_DIGITS[ch]) for ch in text)
    tens, _, ones = text.partition("十")
    return str((CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0))


def group_key(text):
    """Return the comparison key of a group name: 第一党小组, 一组, 1组 and 第1小组 all give "1"."""
    value = _squash(text)
    value = re.sub(r"^第", "", value)
    value = re.sub(r"(党小组|小组|组)$", "", value)
    value = re.sub(r"第(?=[0-9〇零一二两三四五六七八九十])", "", value)
    return re.sub(r"[〇零一二两三四五六七八九十]+", lambda m: _cn_number(m.group()), value)


# -- export ----------------------------------------------------------------------------------------------------------

EXPORT_ONLY = ["状态", "去世日期"]
EXPORT_WIDTHS = [10, 6, 8, 12, 8, 21, 6, 10, 12, 12, 12, 24, 14, 14, 12, 32, 28, 20, 6, 6, 6, 20, 6, 12]


def export_header():
    return [c.header for c in COLUMNS if c.key != "home_phone"] + EXPORT_ONLY


def _hidden(text):
    return "（已隐藏）" if text else ""


def export_row(member, *, reveal_id=True):
    """Return one member as the cells of export_header(), in forms the importer reads back unchanged.

    Without `reveal_id` (an exporter without the reveal permission) the ID number and phones are masked and the
    address and health notes hidden, as on the screen; such a file is for reading, not for importing back.
    """
    def day(value):
        return value.isoformat() if value else ""

    def yes(value):
        return "是" if value else "否"

    if member.birth_date_precision == DatePrecision.MONTH:
        born = f"{member.birth_date:%Y-%m}"
    else:
        born = day(member.birth_date)
    values = {
        "name": member.name, "sex": "男" if member.sex == Sex.MALE else "女",
        "ethnicity": member.ethnicity, "birth_date": born,
        "birthday_custom": "农历" if member.birthday_custom == BirthdayCustom.LUNAR else "公历",
        "id_number": member.id_number if reveal_id else member.masked_id_number,
        "category": "离休" if member.category == Category.LIXIU else "退休",
        "is_party_member": "中共党员" if member.is_party_member else "群众",
        "party_join_date": day(member.party_join_date), "work_start_date": day(member.work_start_date),
        "retirement_date": day(member.retirement_date), "former_unit": member.former_unit,
        "former_post": member.former_post, "treatment_level": member.treatment_level, "group": member.unit.name,
        "address": member.address if reveal_id else _hidden(member.address),
        "phone": "、".join(p.number if reveal_id else p.masked for p in member.phones.all()),
        "health_notes": member.health_notes if reveal_id else _hidden(member.health_notes), "lives_alone": yes(member.lives_alone), "disabled": yes(member.disabled),
        "bedridden": yes(member.bedridden), "notes": member.notes,
    }
    status = {Status.ACTIVE: "在册", Status.IN_HOSPITAL: "住院", Status.DECEASED: "已故"}[member.status]
    return [values[c.key] for c in COLUMNS if c.key != "home_phone"] + [status, day(member.died_on)]


def error_sheet(report):
    """Return (header, rows) of the error sheet: row number, reasons, then the rejected row as it was read.

    The original columns follow the two added ones, so the sheet can be corrected and imported as it is.
    """
    header = ["行号", "错误原因"] + [_cell_text(c) for c in report.header]
    rows = [[r.row, "；".join(r.reasons)] + [c if c is not None else "" for c in (r.cells or [])] for r in report.of(REJECTED)]
    return header, rows


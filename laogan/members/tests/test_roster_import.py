import tempfile
from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laogan.accounts.models import AuditAction, AuditEntry, Unit, UnitKind
from laogan.lib import idcard
from laogan.lib.crypto import lookup_hash, suffix_hash
from laogan.lib.spreadsheet import SpreadsheetError
from laogan.members import roster
from laogan.members.actions import do_import_roster
from laogan.members.models import BirthdayCustom, Category, Member, MemberPhone, PhoneLabel
from laogan.members.roster import NEW, REJECTED, UNCHANGED, UPDATE, RosterError
from laogan.test import BaseTestCase, make_member, make_unit

from .roster_files import csv_bytes, ident, xls, xlsx

BORN = date(1928, 5, 3)
ZHANG = ident(BORN, 901, "M")
# A woman's number whose check character is X, to be typed with a lower-case x.
LI = next(n for n in (ident(date(1930, 1, 15), s, "F") for s in range(800, 1000, 2)) if n.endswith("X"))
WANG = ident(date(1931, 2, 20), 903, "M")
HEADER = ["序号", "姓名", "性别", "身份证号", "出生日期", "党小组"]


def full_width(text):
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


class ImportTestCase(BaseTestCase):
    def run_import(self, data, org=None, name="花名册.xlsx", **kw):
        return do_import_roster(data, org=org or self.centre_a, acting_user=self.secretary, name=name, **kw)

    def rejected(self, report):
        return {r.row: r.reasons for r in report.of(REJECTED)}

    def member(self, number):
        return Member.objects.select_related("unit").get(id_number_hash=lookup_hash(number))


class MessyFileTest(ImportTestCase):
    """A roster as a centre really keeps it: titles, odd headers, shuffled columns, blank rows, footers."""

    ROWS = [
        ["西乡塘区离休干部管理服务中心花名册"],
        ["填报单位：甲中心", None, None, None, "填表日期：2024年1月"],
        [],
        ["序 号", "所在党小组", "姓　名", "性 别", "公民身份号码", "出生年月", "联系电话", "家庭住址", "离退休类别",
         "生日类型", "入党时间", "参加工作时间", "原工作单位", "原职务", "享受待遇", "民族", "备注", "年龄"],
        [1, "第一党小组", "张建国", "男", full_width(ZHANG), "1928.5.3", "139 0771 0001、0771-3125001",
         "北湖路12号", "离休", "公历", "1945年7月", "1944.03", "南宁市人民政府", "副市长", "副厅级", "汉族", "", 96],
        [2, "二组", "李秀英", "女", LI.lower(), "1930年1月", "13907710002", "明秀西路3号", "退休", "农历",
         "1950.03", None, None, None, None, "壮族", "老伴同住", 94],
        [],
        [3, "1组", "王 德明", "男", " ".join([WANG[:6], WANG[6:14], WANG[14:]]), "19310220", None, None, "离休干部",
         "阳历", None, None, None, None, None, None, None, 93],
        ["合计：3人"],
        ["制表人：张三", None, "审核人：李四", None, "填表日期：2024-01-05"],
    ]

    def test_every_member_row_is_imported_and_the_rest_ignored(self):
        report = self.run_import(xlsx(self.ROWS))
        self.assertEqual(report.summary_line(), "imported 3, updated 0, unchanged 0, rejected 0")
        self.assertEqual(report.header_row, 4)
        self.assertEqual([r.row for r in report.rows], [5, 6, 8])
        self.assertEqual(report.ignored, [])

    def test_values_are_normalised(self):
        self.run_import(xlsx(self.ROWS))
        zhang = self.member(ZHANG)
        self.assertEqual((zhang.name, zhang.sex, zhang.birth_date, zhang.birth_date_precision), ("张建国", "M", BORN, "day"))
        self.assertEqual(zhang.unit, self.group_a1)
        self.assertEqual(zhang.id_number, ZHANG)
        self.assertEqual(zhang.party_join_date, date(1945, 7, 1))
        self.assertEqual(zhang.work_start_date, date(1944, 3, 1))
        self.assertEqual((zhang.former_unit, zhang.former_post, zhang.treatment_level), ("南宁市人民政府", "副市长", "副厅级"))
        self.assertEqual(zhang.address, "北湖路12号")
        self.assertEqual([(p.label, p.number, p.last4) for p in zhang.phones.all()],
                         [(PhoneLabel.MOBILE, "13907710001", "0001"), (PhoneLabel.HOME, "07713125001", "5001")])
        li = self.member(LI)
        self.assertEqual(li.id_number, LI.upper())
        self.assertEqual((li.birth_date, li.birth_date_precision), (date(1930, 1, 1), "month"))
        self.assertEqual((li.category, li.birthday_custom, li.ethnicity, li.notes), (Category.TUIXIU, BirthdayCustom.LUNAR, "壮族", "老伴同住"))
        self.assertEqual(li.unit, self.group_a2)
        wang = self.member(WANG)
        self.assertEqual((wang.name, wang.birth_date, wang.unit, wang.category), ("王德明", date(1931, 2, 20), self.group_a1, Category.LIXIU))

    def test_derived_fields_are_set(self):
        self.run_import(xlsx(self.ROWS))
        zhang = self.member(ZHANG)
        self.assertEqual((zhang.name_pinyin, zhang.name_initials), ("zhangjianguo", "zjg"))
        self.assertEqual((zhang.unit_path, zhang.centre_id), (self.group_a1.path, self.centre_a.pk))
        self.assertIsNotNone(zhang.lunar_birth_month)
        self.assertEqual(zhang.id_number_last4, ZHANG[-4:])
        self.assertEqual(zhang.id_number_suffix_hash, suffix_hash(ZHANG))
        self.assertEqual([p.suffix_hash for p in zhang.phones.all()], [suffix_hash("13907710001"), suffix_hash("07713125001")])
        self.assertEqual(list(Member.objects.visible_to(self.liaison).search("07710001")), [zhang])
        self.assertEqual(list(Member.objects.visible_to(self.liaison).search(ZHANG[-7:])), [zhang])
        self.assertIsNone(self.member(LI).lunar_birth_month)  # month precision: no lunar birthday to keep
        self.assertEqual(list(Member.objects.visible_to(self.liaison).search("zjg")), [zhang])

    def test_the_same_rows_read_from_xls_csv_and_gbk_csv(self):
        rows = [[c if not isinstance(c, int) else str(c) for c in row] for row in self.ROWS]
        for data, name in ((xls(self.ROWS), "a.xls"), (csv_bytes(rows), "a.csv"), (csv_bytes(rows, "gbk"), "a.csv")):
            with self.subTest(name=name, size=len(data)):
                Member.objects.all().delete()
                report = self.run_import(data, name=name)
                self.assertEqual(report.summary_line(), "imported 3, updated 0, unchanged 0, rejected 0")
                self.assertEqual(self.member(LI).unit, self.group_a2)

    def test_reimporting_the_same_file_changes_nothing(self):
        self.run_import(xlsx(self.ROWS))
        before = {m.pk: (m.version, m.updated_at) for m in Member.objects.all()}
        report = self.run_import(xlsx(self.ROWS))
        self.assertEqual(report.summary_line(), "imported 0, updated 0, unchanged 3, rejected 0")
        self.assertEqual({m.pk: (m.version, m.updated_at) for m in Member.objects.all()}, before)
        self.assertEqual(MemberPhone.objects.count(), 3)

    def test_one_audit_entry_with_the_counts(self):
        self.run_import(xlsx(self.ROWS))
        entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
        self.assertEqual(entry.changes, {"file": "花名册.xlsx", "imported": 3, "updated": 0, "unchanged": 0, "rejected": 0})
        self.assertEqual((entry.actor, entry.unit_path), (self.secretary, self.centre_a.path))
        self.assertEqual(AuditEntry.objects.count(), 1)


class DateSpellingTest(ImportTestCase):
    SERIAL = (BORN - date(1899, 12, 30)).days

    def import_births(self, cells):
        rows = [HEADER] + [[i, f"测试{i}", "男", ident(BORN, 101 + 2 * i), cell, "第一党小组"] for i, cell in enumerate(cells)]
        report = self.run_import(xlsx(rows))
        return report, [(r.member.birth_date, r.member.birth_date_precision) if r.member else r.reasons for r in report.rows]

    def test_every_way_of_writing_a_day(self):
        cells = ["1928-05-03", "1928.5.3", "1928/5/3", "1928年5月3日", "19280503", 19280503, BORN, self.SERIAL, float(self.SERIAL),
                 str(self.SERIAL), "１９２８年５月３日", "1928-05-03 00:00:00"]
        report, births = self.import_births(cells)
        self.assertEqual(births, [(BORN, "day")] * len(cells))

    def test_month_only(self):
        cells = ["1928.05", "1928.5", "1928年5月", "1928-05", "192805", 192805, 1928.05]
        report, births = self.import_births(cells)
        self.assertEqual(births, [(date(1928, 5, 1), "month")] * len(cells))

    def test_a_number_that_lost_its_trailing_zero_is_refused_not_guessed(self):
        report, births = self.import_births([1928.1])
        self.assertIn("1月还是10月", births[0][0])

    def test_an_impossible_date(self):
        report, births = self.import_births(["1928-02-30"])
        self.assertIn("出生日期", births[0][0])

    def test_a_cell_with_an_empty_birth_date_takes_the_id_number_date(self):
        report, births = self.import_births([None])
        self.assertEqual(births, [(BORN, "day")])


class IdNumberTest(ImportTestCase):
    def import_ids(self, ids, born=BORN):
        rows = [HEADER] + [[i, f"测试{i}", None, number, None, "第一党小组"] for i, number in enumerate(ids)]
        return self.run_import(xlsx(rows))

    def test_a_fifteen_digit_number_is_upgraded(self):
        report = self.import_ids(["450107280503013"])
        self.assertEqual(report.rows[0].outcome, NEW)
        upgraded = "45010719280503013" + idcard.check_char("45010719280503013")
        member = self.member(upgraded)
        self.assertEqual((member.id_number, member.birth_date, member.sex), (upgraded, BORN, "M"))

    def test_full_width_digits_lower_case_x_and_spaces(self):
        report = self.import_ids([full_width(LI[:17]) + "x", f" {LI[:6]} {LI[6:14]} {LI[14:-1]}x "])
        self.assertEqual([r.outcome for r in report.rows], [NEW, REJECTED])
        self.assertEqual(self.rejected(report)[3], ["身份证号与第2行重复"])

    def test_a_number_excel_stored_as_a_number_lost_its_last_digits(self):
        report = self.import_ids([float(ZHANG[:17] + "0"), "4.50107E+17"])
        self.assertTrue(all("末几位已丢失" in reasons[0] for reasons in self.rejected(report).values()), report.rows)

    def test_a_wrong_check_character(self):
        wrong = ZHANG[:17] + ("0" if ZHANG[17] != "0" else "1")
        report = self.import_ids([wrong])
        self.assertIn("校验位错误", self.rejected(report)[2][0])

    def test_a_number_outside_the_checks_is_named(self):
        report = self.import_ids(["12345"])
        self.assertIn("18位", self.rejected(report)[2][0])


class RejectedRowTest(ImportTestCase):
    def test_each_bad_row_has_its_excel_row_number_and_reason(self):
        rows = [
            ["花名册"],
            ["姓名", "性别", "身份证号", "出生日期", "党小组", "联系电话", "入党时间", "类别"],
            ["张建国", "男", ZHANG, "1928-05-04", "第一党小组", None, None, None],  # 3: birth date disagrees
            ["李秀英", "男", LI, None, "第一党小组", None, None, None],  # 4: sex disagrees
            [None, "男", WANG, None, "第一党小组", None, None, None],  # 5: no name
            ["赵大", "男", ident(BORN, 905), None, "第九党小组", None, None, None],  # 6: unknown group
            ["钱二", "男", ident(BORN, 907), None, "乙一组", None, None, None],  # 7: another centre's group
            ["孙三", "男", ident(BORN, 909), None, "一组", "12345", None, None],  # 8: bad phone
            ["周四", "男", ident(BORN, 911), None, "一组", None, "1920-01-01", None],  # 9: joined before birth
            ["吴五", "男", None, None, "一组", None, None, None],  # 10: no ID number
            ["郑六", "男", ident(BORN, 913), None, "一组", None, None, "在职"],  # 11: unknown category
            ["冯七", "男", ident(BORN, 915), None, "一组", None, None, None],  # 12: good
        ]
        report = self.run_import(xlsx(rows))
        rejected = self.rejected(report)
        self.assertEqual(sorted(rejected), [3, 4, 5, 6, 7, 8, 9, 10, 11])
        self.assertEqual(rejected[3], ["出生日期1928-05-04与身份证号中的1928-05-03不符"])
        self.assertEqual(rejected[4], ["性别“男”与身份证号（女）不符"])
        self.assertEqual(rejected[5], ["姓名为空"])
        self.assertEqual(rejected[6], ["党小组“第九党小组”不在甲中心之下"])
        self.assertEqual(rejected[7], ["党小组“乙一组”不在甲中心之下"])
        self.assertIn("电话“12345”", rejected[8][0])
        self.assertEqual(rejected[9], ["入党时间早于出生日期"])
        self.assertIn("缺少身份证号", rejected[10][0])
        self.assertEqual(rejected[11], ["类别“在职”应为离休或退休"])
        self.assertEqual(report.summary_line(), "imported 1, updated 0, unchanged 0, rejected 9")
        self.assertEqual(list(Member.objects.values_list("name", flat=True)), ["冯七"])

    def test_several_reasons_for_one_row(self):
        rows = [["姓名", "身份证号", "性别", "民族"], [None, "12345", "未知", "族" * 21]]
        reasons = self.rejected(self.run_import(xlsx(rows), org=self.branch_a))[2]
        self.assertEqual(len(reasons), 4, reasons)

    def test_error_sheet_holds_row_numbers_reasons_and_the_original_row(self):
        rows = [["花名册"], ["姓名", "身份证号", "党小组"], ["张建国", "123", "一组"], ["李秀英", LI, "一组"]]
        header, sheet = roster.error_sheet(self.run_import(xlsx(rows)))
        self.assertEqual(header, ["行号", "错误原因", "姓名", "身份证号", "党小组"])
        self.assertEqual(sheet[0][0], 3)
        self.assertEqual(sheet[0][2:], ["张建国", "123", "一组"])
        self.assertEqual(len(sheet), 1)

    def test_a_corrected_error_sheet_imports_as_it_is(self):
        rows = [["姓名", "身份证号", "党小组"], ["张建国", ZHANG, "第八党小组"]]
        header, sheet = roster.error_sheet(self.run_import(xlsx(rows)))
        sheet[0][header.index("党小组")] = "第一党小组"
        report = self.run_import(xlsx([header] + sheet))
        self.assertEqual(report.summary_line(), "imported 1, updated 0, unchanged 0, rejected 0")
        self.assertEqual(report.ignored, [])


class PartyGroupTest(ImportTestCase):
    def unit_for(self, text, org=None):
        report = self.run_import(xlsx([["姓名", "身份证号", "党小组"], ["张建国", ZHANG, text]]), org=org)
        Member.objects.all().delete()
        row = report.rows[0]
        return row.member.unit if row.member else row.reasons[0]

    def test_the_ways_people_name_a_group(self):
        for text in ("第一党小组", "第 一 党小组", "一组", "1组", "第1党小组", "第一小组", "group-a1", "GROUP-A1", "甲支部第一党小组", "甲支部/第一党小组", "1"):
            with self.subTest(text=text):
                self.assertEqual(self.unit_for(text), self.group_a1)
        self.assertEqual(self.unit_for("二组"), self.group_a2)

    def test_the_branch_itself(self):
        self.assertEqual(self.unit_for("甲支部"), self.branch_a)
        self.assertEqual(self.unit_for("branch-a"), self.branch_a)

    def test_a_name_two_branches_share_is_ambiguous_unless_the_member_is_already_in_one(self):
        other = make_unit("branch-a2", UnitKind.BRANCH, self.centre_a, name="甲二支部")
        same_name = make_unit("group-a21", UnitKind.GROUP, other, name="第一党小组")
        self.assertIn("对应多个", self.unit_for("第一党小组"))
        self.assertEqual(self.unit_for("甲二支部第一党小组"), same_name)
        make_member(name="张建国", born=BORN, unit=same_name, id_number=ZHANG)
        report = self.run_import(xlsx([["姓名", "身份证号", "党小组"], ["张建国", ZHANG, "第一党小组"]]))
        self.assertEqual(report.rows[0].outcome, UNCHANGED)

    def test_without_a_group_column(self):
        rows = [["姓名", "身份证号"], ["张建国", ZHANG]]
        self.assertEqual(self.run_import(xlsx(rows), org=self.branch_a).rows[0].member.unit, self.branch_a)
        Member.objects.all().delete()
        self.assertEqual(self.run_import(xlsx(rows), org=self.group_a2).rows[0].member.unit, self.group_a2)
        Member.objects.all().delete()
        self.assertEqual(self.run_import(xlsx(rows), org=self.centre_a).rows[0].member.unit, self.branch_a)  # its only branch
        Member.objects.all().delete()
        make_unit("branch-a2", UnitKind.BRANCH, self.centre_a)
        self.assertEqual(self.run_import(xlsx(rows), org=self.centre_a).rows[0].reasons, ["未填写党小组"])

    def test_group_key(self):
        self.assertEqual({roster.group_key(t) for t in ("第一党小组", "一组", "1组", "第1小组", "第 一 组")}, {"1"})
        self.assertEqual(roster.group_key("第十二党小组"), "12")
        self.assertEqual(roster.group_key("第二十党小组"), "20")
        self.assertEqual(roster.group_key("离休一组"), "离休1")


class PhoneCellTest(ImportTestCase):
    def phones(self, *cells, header=("手机",)):
        report = self.run_import(xlsx([["姓名", "身份证号", *header], ["张建国", ZHANG, *cells]]), org=self.branch_a, dry_run=True)
        return report.rows[0].phones or report.rows[0].reasons

    def test_the_ways_numbers_are_written(self):
        self.assertEqual(self.phones("+86 139-0771-0001"), [(PhoneLabel.MOBILE, "13907710001")])
        self.assertEqual(self.phones(13907710001), [(PhoneLabel.MOBILE, "13907710001")])
        self.assertEqual(self.phones(full_width("13907710001")), [(PhoneLabel.MOBILE, "13907710001")])
        self.assertEqual(self.phones("(0771)3125001"), [(PhoneLabel.HOME, "07713125001")])

    def test_several_numbers_in_one_cell_or_column(self):
        expected = [(PhoneLabel.MOBILE, "13907710001"), (PhoneLabel.HOME, "07713125001")]
        for cell in ("13907710001、0771-3125001", "13907710001，0771-3125001", "13907710001/0771-3125001", "13907710001 0771-3125001"):
            with self.subTest(cell=cell):
                self.assertEqual(self.phones(cell), expected)
        self.assertEqual(self.phones("13907710001", "0771-3125001", header=("联系电话", "家庭电话")), expected)
        self.assertEqual(self.phones("13907710001", "13907710001", header=("电话", "手机号码")), expected[:1])

    def test_a_number_that_is_no_number(self):
        self.assertEqual(self.phones("139077100"), ["电话“139077100”不是手机号（1开头的11位）或固定电话"])


class ExistingMemberTest(ImportTestCase):
    def setUp(self):
        self.zhang = make_member(name="张建国", born=BORN, unit=self.group_a1, id_number=ZHANG, address="北湖路12号",
                                 notes="爱下棋", phones=[(PhoneLabel.WORK, "13907710001")])

    def test_a_changed_cell_updates_the_member(self):
        rows = [["姓名", "身份证号", "现住址", "党小组", "电话"], ["张建国", ZHANG, "明秀西路8号", "第二党小组", "13907710001、0771-3125001"]]
        report = self.run_import(xlsx(rows))
        self.assertEqual(report.rows[0].outcome, UPDATE)
        self.assertEqual(report.rows[0].changed, ["党小组", "现住址", "联系电话"])
        self.zhang.refresh_from_db()
        self.assertEqual((self.zhang.address, self.zhang.unit, self.zhang.unit_path), ("明秀西路8号", self.group_a2, self.group_a2.path))
        self.assertEqual(self.zhang.version, 2)
        self.assertEqual(self.zhang.notes, "爱下棋")  # no column: left alone
        # The number already stored keeps its label; the new one is labelled by its shape.
        self.assertEqual([(p.label, p.number) for p in self.zhang.phones.all()],
                         [(PhoneLabel.WORK, "13907710001"), (PhoneLabel.HOME, "07713125001")])

    def test_identical_values_leave_the_member_unchanged(self):
        rows = [["姓名", "身份证号", "现住址", "备注", "电话", "出生日期"], ["张建国", ZHANG, "北湖路12号", "爱下棋", "139-0771-0001", "1928.5.3"]]
        report = self.run_import(xlsx(rows))
        self.assertEqual(report.rows[0].outcome, UNCHANGED)
        self.zhang.refresh_from_db()
        self.assertEqual(self.zhang.version, 1)

    def test_empty_cells_never_clear_stored_values(self):
        report = self.run_import(xlsx([["姓名", "身份证号", "现住址", "备注", "电话"], ["张建国", ZHANG, None, "", None]]))
        self.assertEqual(report.rows[0].outcome, UNCHANGED)
        self.zhang.refresh_from_db()
        self.assertEqual((self.zhang.address, self.zhang.notes, self.zhang.phones.count()), ("北湖路12号", "爱下棋", 1))

    def test_a_month_never_overwrites_the_day_of_the_same_month(self):
        report = self.run_import(xlsx([["姓名", "身份证号", "出生年月"], ["张建国", ZHANG, "1928年5月"]]))
        self.assertEqual(report.rows[0].outcome, UNCHANGED)
        self.zhang.refresh_from_db()
        self.assertEqual((self.zhang.birth_date, self.zhang.birth_date_precision), (BORN, "day"))

    def test_a_member_of_another_centre_is_never_touched(self):
        theirs = make_member(name="赵大", born=date(1930, 6, 1), unit=self.group_b1, id_number=ident(date(1930, 6, 1), 921))
        rows = [["姓名", "身份证号", "现住址"], ["赵大", theirs.id_number, "改掉的地址"]]
        report = self.run_import(xlsx(rows))
        self.assertEqual(self.rejected(report), {2: ["该身份证号已登记在本单位范围以外的成员名下，不能在此导入"]})
        theirs.refresh_from_db()
        self.assertEqual((theirs.address, theirs.version, theirs.unit), ("", 1, self.group_b1))

    def test_a_member_elsewhere_in_the_centre_is_out_of_reach_of_a_branch_import(self):
        other_branch = make_unit("branch-a2", UnitKind.BRANCH, self.centre_a, name="甲二支部")
        report = self.run_import(xlsx([["姓名", "身份证号"], ["张建国", ZHANG]]), org=other_branch)
        self.assertEqual(report.rows[0].outcome, REJECTED)


class SafetyTest(ImportTestCase):
    def test_an_unreadable_file_leaves_the_database_untouched(self):
        make_member(name="张建国", born=BORN, unit=self.group_a1, id_number=ZHANG)
        data = xlsx([["姓名", "身份证号"], ["李秀英", LI]])
        counts = (Member.objects.count(), AuditEntry.objects.count())
        for broken in (data[: len(data) // 2], b"", b"\x00\xff" * 50):
            with self.subTest(size=len(broken)), self.assertRaises(SpreadsheetError):
                self.run_import(broken)
        self.assertEqual((Member.objects.count(), AuditEntry.objects.count()), counts)

    def test_a_file_without_a_header_row_is_not_a_roster(self):
        with self.assertRaisesMessage(RosterError, "找不到表头行"):
            self.run_import(xlsx([["一"], ["二"]]))

    def test_a_header_without_id_numbers_is_refused_whole(self):
        with self.assertRaisesMessage(RosterError, "没有“身份证号”列"):
            self.run_import(xlsx([["标题"], ["姓名", "性别"], ["张建国", "男"]]))

    def test_a_dry_run_writes_nothing(self):
        rows = [["姓名", "身份证号"], ["张建国", ZHANG]]
        report = self.run_import(xlsx(rows), dry_run=True)
        self.assertEqual(report.summary_line(), "imported 1, updated 0, unchanged 0, rejected 0")
        self.assertEqual((Member.objects.count(), AuditEntry.objects.count()), (0, 0))

    def test_queries_do_not_grow_with_the_rows(self):
        def queries(n):
            rows = [["姓名", "身份证号", "党小组", "电话"]] + [[f"测试{i}", ident(BORN, 301 + 2 * i), "一组", f"1390771{i:04d}"] for i in range(n)]
            Member.objects.all().delete()
            with CaptureQueriesContext(connection) as ctx:
                self.run_import(xlsx(rows))
            with CaptureQueriesContext(connection) as again:
                self.assertEqual(self.run_import(xlsx(rows)).summary_line(), f"imported 0, updated 0, unchanged {n}, rejected 0")
            return len(ctx), len(again)

        self.assertEqual(queries(3), queries(40))

    def test_unknown_columns_are_reported(self):
        report = self.run_import(xlsx([["姓名", "身份证号", "鞋码", "序号"], ["张建国", ZHANG, 42, 1]]))
        self.assertEqual(report.ignored, ["鞋码"])

    def test_header_names_with_notes_and_stars(self):
        self.assertEqual(roster.header_key("身份证号码（18位）*"), "id_number")
        self.assertEqual(roster.header_key(" 姓　名 "), "name")
        self.assertEqual(roster.header_key("手机号码："), "phone")
        self.assertIsNone(roster.header_key("鞋码"))


class CommandTest(ImportTestCase):
    def call(self, path, *args):
        out = StringIO()
        call_command("import_members", str(path), *args, stdout=out)
        return out.getvalue().splitlines()

    def write(self, data, name="roster.xlsx"):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = Path(folder.name) / name
        path.write_bytes(data)
        return path

    def test_the_last_line_counts_and_rejected_rows_come_above_it(self):
        path = self.write(xlsx([["名册"], ["姓名", "身份证号", "党小组"], ["张建国", ZHANG, "一组"], ["李秀英", "123", "一组"]]))
        lines = self.call(path, "--org", "centre-a")
        self.assertEqual(lines[-1], "imported 1, updated 0, unchanged 0, rejected 1")
        self.assertTrue(lines[0].startswith("row 4: 李秀英: 身份证号应为18位"), lines)
        self.assertEqual(self.call(path, "--org", "centre-a")[-1], "imported 0, updated 0, unchanged 1, rejected 1")
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.IMPORT, actor=None).count(), 2)

    def test_dry_run(self):
        path = self.write(csv_bytes([["姓名", "身份证号"], ["张建国", ZHANG]], "gbk"), "roster.csv")
        lines = self.call(path, "--org", "branch-a", "--dry-run")
        self.assertEqual(lines[-1], "imported 1, updated 0, unchanged 0, rejected 0")
        self.assertEqual(Member.objects.count(), 0)

    def test_an_unreadable_file_or_unknown_unit_fails(self):
        path = self.write(b"PK\x03\x04broken")
        with self.assertRaisesMessage(CommandError, "损坏"):
            self.call(path, "--org", "centre-a")
        with self.assertRaisesMessage(CommandError, "no unit has the code 'nowhere'"):
            self.call(path, "--org", "nowhere")
        self.assertFalse(Unit.objects.filter(code="nowhere").exists())
        self.assertEqual(Member.objects.count(), 0)

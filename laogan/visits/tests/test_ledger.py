import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.test import BaseTestCase, make_member
from laogan.visits import ledger
from laogan.visits.actions import GiftLine, do_record_visit, do_reverse_money_entry, do_set_budget
from laogan.visits.models import MoneyEntry, MoneyKind, Occasion, VisitForm

from .builders import at, frozen


@frozen(2026, 6, 30, hour=18)
class LedgerTest(BaseTestCase):
    def setUp(self):
        self.zhang = make_member("张建国", date(1928, 5, 3), unit=self.group_a1)
        self.li = make_member("李秀英", date(1930, 6, 20), unit=self.group_a2, sex="F")
        self.record, _ = do_record_visit(
            [self.zhang], visited_at=at(2026, 2, 10), form=VisitForm.HOME, occasion=Occasion.OTHER,
            gifts=[GiftLine("大米、食用油", 1, Decimal("200.10"))], condolence_amount=Decimal("500.20"), acting_user=self.liaison,
        )
        do_record_visit([self.li], visited_at=at(2026, 6, 20), form=VisitForm.HOME, occasion=Occasion.BIRTHDAY,
                        gifts=[GiftLine("生日蛋糕", 1, Decimal("168.30"))], cake_delivered=True, acting_user=self.liaison)
        self.condolence = MoneyEntry.objects.get(kind=MoneyKind.CONDOLENCE)

    def test_totals_by_occasion_never_lose_cents(self):
        s = ledger.summary(self.centre_a, 2026)
        rows = {r.occasion: (r.condolence, r.gifts) for r in s.rows}
        self.assertEqual(rows, {"other": (Decimal("500.20"), Decimal("200.10")), "birthday": (Decimal("0.00"), Decimal("168.30"))})
        self.assertEqual(s.spent, Decimal("868.60"))

    def test_a_reversal_adds_the_opposite_amount_with_the_reason_and_the_audit_shows_who(self):
        reversal = do_reverse_money_entry(self.condolence, reason="金额录错，应为300元", acting_user=self.secretary)
        self.assertEqual((reversal.amount, reversal.reverses, reversal.date), (Decimal("-500.20"), self.condolence, date(2026, 2, 10)))
        self.assertEqual(ledger.summary(self.centre_a, 2026).spent, Decimal("368.40"))
        audit = AuditEntry.objects.get(object_type="visits.moneyentry", object_id=str(reversal.pk))
        self.assertEqual((audit.actor, audit.action, audit.changes["reason"]), (self.secretary, AuditAction.CREATE, "金额录错，应为300元"))
        self.assertEqual(audit.unit_path, self.group_a1.path)

    def test_an_entry_is_reversed_once_and_a_reversal_never(self):
        reversal = do_reverse_money_entry(self.condolence, reason="重复录入", acting_user=self.secretary)
        with self.assertRaises(ValidationError):
            do_reverse_money_entry(self.condolence, reason="again", acting_user=self.secretary)
        with self.assertRaises(ValidationError):
            do_reverse_money_entry(reversal, reason="undo", acting_user=self.secretary)
        with self.assertRaises(ValidationError):
            do_reverse_money_entry(MoneyEntry.objects.filter(kind=MoneyKind.GIFT).first(), reason="  ", acting_user=self.secretary)
        self.assertEqual(MoneyEntry.objects.count(), 4)

    def test_money_rows_are_never_edited_or_deleted(self):
        self.condolence.amount = Decimal("1.00")
        for attempt in (self.condolence.save, self.condolence.delete, MoneyEntry.objects.all().delete,
                        lambda: MoneyEntry.objects.update(amount=0)):
            with self.subTest(attempt=attempt), self.assertRaises(TypeError):
                attempt()
        self.assertEqual(MoneyEntry.objects.get(pk=self.condolence.pk).amount, Decimal("500.20"))

    def test_budget_is_set_by_the_secretary_and_compared_with_spending(self):
        do_set_budget(self.centre_a, 2026, Decimal("1000"), acting_user=self.secretary)
        do_set_budget(self.centre_a, 2026, Decimal("2000.50"), acting_user=self.secretary)
        s = ledger.summary(self.centre_a, 2026)
        self.assertEqual((s.budget, s.remaining, s.percent_used), (Decimal("2000.50"), Decimal("1131.90"), Decimal("43.4")))
        audits = AuditEntry.objects.filter(object_type="visits.budget").order_by("id")
        self.assertEqual([a.changes["amount"] for a in audits], [[None, "1000.00"], ["1000.00", "2000.50"]])

    def test_the_excel_export_reads_back_with_the_same_figures(self):
        do_set_budget(self.centre_a, 2026, Decimal("1000"), acting_user=self.secretary)
        do_reverse_money_entry(self.condolence, reason="重复录入", acting_user=self.secretary)
        self.login(self.secretary)
        response = self.client.get(reverse("visit_ledger_export"), {"year": 2026})
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content))
        summary = {row[0]: row[1:] for row in book["汇总"].iter_rows(min_row=4, values_only=True) if row[0]}
        self.assertEqual(summary["日常走访"][:3], (0, 200.1, 200.1))
        self.assertEqual(summary["生日祝寿"][:3], (0, 168.3, 168.3))
        self.assertEqual(summary["年度预算（元）"][0], 1000)
        self.assertAlmostEqual(summary["已支出（元）"][0], 368.40)
        detail = list(book["明细"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(detail), 4)
        reversal = next(r for r in detail if r[8])
        self.assertEqual((reversal[3], reversal[6], reversal[8], reversal[9]), ("张建国", -500.2, "重复录入", self.condolence.pk))
        export = AuditEntry.objects.get(action=AuditAction.EXPORT, actor=self.secretary)
        # The members named in the ledger find this export in their personal-data access report.
        named = set(MoneyEntry.objects.filter(centre=self.centre_a).exclude(member=None).values_list("member_id", flat=True))
        self.assertIn(self.condolence.member_id, named)
        self.assertEqual(set(export.subjects.values_list("object_id", flat=True)), named)

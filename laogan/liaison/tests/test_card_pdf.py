"""The printed card sheets, read back: page count, the text inside each card's cut lines, embedded CJK fonts; the
print_cards command and the print views."""

import io
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from laogan.accounts.actions import do_update_user
from laogan.accounts.models import AuditAction, AuditEntry
from laogan.liaison.cards import display_phone
from laogan.liaison.models import CardBatch, CardPrint
from laogan.liaison.views import cards as card_views
from laogan.members.models import Member
from laogan.test import make_member

from .base import LiaisonTestCase, set_liaison

PT_PER_MM = 72 / 25.4
PAGE_HEIGHT_PT = 297 * PT_PER_MM
LEFT_MM, TOP_MM, CARD_W_MM, CARD_H_MM = 19.4, 13.5, 85.6, 54


def cards_by_cell(pdf_bytes):
    """Return, per page, {(row, col): text} of everything printed inside each card's cut lines."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        cells = defaultdict(list)

        def visit(text, cm, tm, font_dict, font_size):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            x_mm, top_mm = x / PT_PER_MM, (PAGE_HEIGHT_PT - y) / PT_PER_MM
            col, row = int((x_mm - LEFT_MM) // CARD_W_MM), int((top_mm - TOP_MM) // CARD_H_MM)
            if 0 <= col < 2 and 0 <= row < 5:
                cells[(row, col)].append(text)

        page.extract_text(visitor_text=visit)
        pages.append({cell: "".join(parts) for cell, parts in cells.items()})
    return pages


def fonts_of(pdf_bytes):
    """Return {font name: embedded?} over all pages."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


class CardSheetTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        extra = [make_member(name=f"成员{chr(0x4e00 + i * 7)}", born=date(1929, 1, 1 + i), unit=cls.group_a1 if i % 2 else cls.group_a2)
                 for i in range(14)]
        members = cls.a1 + cls.a2 + extra
        set_liaison(members[:12], cls.liaison)
        set_liaison(members[12:], cls.liaison2)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "cards.pdf"
            stdout = io.StringIO()
            call_command("print_cards", "--org", "centre-a", str(out), stdout=stdout)
            cls.pdf = out.read_bytes()
        cls.output = stdout.getvalue()

    def test_twenty_three_members_fill_three_a4_sheets(self):
        reader = PdfReader(io.BytesIO(self.pdf))
        self.assertEqual(len(reader.pages), 3)
        self.assertEqual([round(float(v) / PT_PER_MM) for v in reader.pages[0].mediabox[2:]], [210, 297])
        self.assertTrue(self.output.startswith("23 cards on 3 A4 sheets written to "), self.output)

    def test_every_card_shows_its_members_details_inside_its_cut_lines(self):
        pages = cards_by_cell(self.pdf)
        printed = CardPrint.objects.filter(is_current=True).order_by("id")
        self.assertEqual(printed.count(), 23)
        self.assertEqual([len(p) for p in pages], [10, 10, 3])
        for n, record in enumerate(printed):
            text = pages[n // 10][(n % 10 // 2, n % 2)]
            fields = record.fields
            with self.subTest(card=n, name=fields["name"]):
                self.assertIn(f"持卡人 {fields['name']}", text)
                self.assertIn(f"党小组长 {fields['leader_name']}（{fields['group']}）", text)
                self.assertIn(display_phone(fields["leader_mobile"]), text)
                self.assertIn(display_phone(fields["leader_work_phone"]), text)
                self.assertIn(f"联络员 {fields['liaison_name']} {display_phone(fields['liaison_mobile'])}", text)
                self.assertIn("服务热线 0771-1111111", text)
                self.assertIn("亲情服务卡", text)
                self.assertIn("甲中心", text)
                others = [r.fields["name"] for r in printed if r.fields["name"] != fields["name"]]
                self.assertFalse([o for o in others if f"持卡人 {o}" in text])

    def test_cards_run_by_party_group_then_name(self):
        names = [r.fields["group"] for r in CardPrint.objects.order_by("id")]
        self.assertEqual(names, sorted(names, key=["第一党小组", "第二党小组"].index))

    def test_the_chinese_fonts_are_embedded(self):
        fonts = fonts_of(self.pdf)
        self.assertTrue(fonts)
        self.assertTrue(all(fonts.values()), fonts)
        self.assertTrue(any("CJK" in name for name in fonts))

    def test_stale_only_reprints_exactly_the_changed_group(self):
        do_update_user(self.group_leader, mobile="13977139999", acting_user=self.admin)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "reprint.pdf"
            call_command("print_cards", "--org", "centre-a", str(out), "--stale-only", stdout=io.StringIO())
            pages = cards_by_cell(out.read_bytes())
        group_a1 = set(Member.objects.filter(unit=self.group_a1).values_list("name", flat=True))
        reprinted = {text.split("持卡人 ")[1].split("党小组长")[0].strip() for page in pages for text in page.values()}
        self.assertEqual(reprinted, group_a1)
        self.assertTrue(all("139 7713 9999" in text for page in pages for text in page.values()))
        self.assertEqual(CardBatch.objects.latest("id").count, len(group_a1))

    def test_nothing_to_reprint_writes_no_file(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "none.pdf"
            stdout = io.StringIO()
            call_command("print_cards", "--org", "group-a1", str(out), "--stale-only", stdout=stdout)
            self.assertFalse(out.exists())
        self.assertIn("No cards to print", stdout.getvalue())

    def test_the_command_refuses_unknown_codes_and_bureaus(self):
        for code in ("no-such-unit", "bureau"):
            with self.subTest(code=code), self.assertRaises(CommandError):
                call_command("print_cards", "--org", code, "/tmp/never.pdf", stdout=io.StringIO())


class PrintViewTest(LiaisonTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_liaison(cls.a1, cls.liaison)

    def test_a_party_groups_cards_come_back_as_a_pdf_and_are_recorded(self):
        self.login(self.liaison)
        response = self.client.post(reverse("liaison_cards_print"), {"centre": "centre-a", "unit": self.group_a1.pk})
        self.assertEqual(response["Content-Type"], "application/pdf")
        pdf = b"".join(response.streaming_content)
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        self.assertEqual(sum(len(p) for p in cards_by_cell(pdf)), 5)
        batch = CardBatch.objects.get()
        self.assertEqual((batch.count, batch.printed_by, batch.unit), (5, self.liaison, self.group_a1))
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="liaison.cardbatch").exists())

    def test_one_members_card(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_card_member", args=[self.a2[0].pk]))
        pages = cards_by_cell(b"".join(response.streaming_content))
        self.assertEqual(list(pages[0]), [(0, 0)])
        self.assertIn("持卡人 刘国栋", pages[0][(0, 0)])
        self.assertIn("联络员 （待定）", pages[0][(0, 0)])

    def test_too_many_cards_for_one_request_are_sent_to_the_groups_or_the_command(self):
        self.login(self.secretary)
        with mock.patch.object(card_views, "MAX_CARDS_PER_REQUEST", 8):
            response = self.client.post(reverse("liaison_cards_print"), {"centre": "centre-a", "unit": self.centre_a.pk},
                                        follow=True)
        self.assertContains(response, "print them party group by party group")
        self.assertFalse(CardPrint.objects.exists())

    def test_printing_is_post_only(self):
        self.login(self.secretary)
        self.assertEqual(self.client.get(reverse("liaison_cards_print")).status_code, 405)
        self.assertEqual(self.client.get(reverse("liaison_card_member", args=[self.a1[0].pk])).status_code, 405)
        self.assertFalse(CardPrint.objects.exists())

    def test_a_unit_of_another_centre_cannot_be_printed(self):
        self.login(self.secretary)
        response = self.client.post(reverse("liaison_cards_print"), {"centre": "centre-a", "unit": self.group_b1.pk})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(CardPrint.objects.exists())

    def test_the_card_page_lists_what_to_reprint(self):
        self.login(self.secretary)
        self.client.post(reverse("liaison_cards_print"), {"centre": "centre-a", "unit": self.centre_a.pk})
        do_update_user(self.leader_a2, mobile="13977130000", acting_user=self.admin)
        response = self.client.get(reverse("liaison_cards"))
        self.assertEqual([s.member.name for s in response.context["stale"]], sorted((m.name for m in self.a2),
                         key=lambda n: Member.objects.get(name=n).name_pinyin))
        self.assertContains(response, "group leader&#x27;s mobile")

"""Results: response rate, satisfaction overall and per question, the group breakdown that never shows a group of
fewer than five answers, free text out of time order, the Excel and PDF files, the figures."""

import io
from datetime import date
from decimal import Decimal

import time_machine
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from laogan.accounts.models import UnitKind
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.surveys import actions, results
from laogan.surveys.models import SATISFIED, Answer, Response
from laogan.test import make_member, make_unit

from .helpers import AFTER, DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey, question, submit


def independent_satisfaction(survey):
    """Count satisfied answers straight from the answer table with SQL, not through the results code."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN a.scale IN ({', '.join(str(v) for v in SATISFIED)}) THEN 1 ELSE 0 END) "
            f"FROM {Answer._meta.db_table} a JOIN {Response._meta.db_table} r ON a.response_id = r.id "
            "WHERE a.scale IS NOT NULL AND r.survey_id = %s", [survey.pk])
        answered, satisfied = cursor.fetchone()
    return satisfied, answered


class ResultsTestCase(SurveyTestCase):
    """Centre A with groups A1 (10 living), A2 (6 living) and A3 (5 living), everyone given a slip in March."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.group_a3 = make_unit("group-a3", UnitKind.GROUP, cls.branch_a, name="第三党小组")
        for i in range(4):
            make_member(name=f"甲一{i}", born=date(1932, 3, 1 + i), unit=cls.group_a1)
        for i in range(3):
            make_member(name=f"甲二{i}", born=date(1932, 4, 1 + i), unit=cls.group_a2)
        for i in range(5):
            make_member(name=f"甲三{i}", born=date(1932, 5, 1 + i), unit=cls.group_a3)
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)
        with time_machine.travel(DURING, tick=False):
            cls.codes = issue_slips(cls.survey, cls.centre_a, cls.secretary)
        cls.by_group = {g: [c for name, c in cls.codes.items() if name.startswith(p) or name in n]
                        for g, p, n in (("a1", "甲一", {"张建国", "李德明", "王振华", "陈国栋", "黄文光", "韦永福"}),
                                        ("a2", "甲二", {"覃秀英", "莫桂兰", "梁玉珍"}), ("a3", "甲三", set()))}

    def answer(self, group, n, level=5, **extra):
        with time_machine.travel(DURING, tick=False):
            for code in self.by_group[group][:n]:
                submit(code, self.survey, level=level, **extra)

    def results(self):
        with time_machine.travel(AFTER, tick=False):
            return results.compute(self.survey, date(2026, 4, 2))


class BreakdownTest(ResultsTestCase):
    def test_a_group_with_fewer_than_five_answers_is_merged_into_other(self):
        self.answer("a1", 7)
        self.answer("a2", 3, level=2)
        self.answer("a3", 4)
        r = self.results()
        self.assertEqual([(g.label, g.responses) for g in r.groups], [("第一党小组", 7), ("其他", 7)])
        self.assertNotIn("第二党小组", [g.label for g in r.groups])

    def test_other_is_never_small_enough_to_be_worked_out_by_subtraction(self):
        self.answer("a1", 7)
        self.answer("a2", 6)
        self.answer("a3", 2, level=1)
        r = self.results()
        # 其他 would hold only A3's two answers; the smallest shown group is folded in with them.
        self.assertEqual([(g.label, g.responses) for g in r.groups], [("第一党小组", 7), ("其他", 8)])

    def test_no_breakdown_when_only_one_group_could_be_shown(self):
        self.answer("a1", 5)
        self.answer("a3", 3)
        self.assertEqual(self.results().groups, [])

    def test_a_group_smaller_than_the_minimum_is_never_recorded_on_answers(self):
        groups = set(self.survey.codes.values_list("group__code", flat=True))
        # A1 (10), A2 (6) and A3 (5) are large enough; the minimum counts living members of the audience.
        self.assertEqual(groups, {"group-a1", "group-a2", "group-a3"})
        small = make_survey(self.group_a2, title="小组调查", min_group_size=7)
        with time_machine.travel(DURING, tick=False):
            issue_slips(small, self.group_a2, self.secretary)
        self.assertEqual(set(small.codes.values_list("group", flat=True)), {None})

    def test_no_breakdown_when_the_survey_records_no_group(self):
        survey = make_survey(self.centre_a, title="不分组", record_group=False)
        with time_machine.travel(DURING, tick=False):
            codes = issue_slips(survey, self.centre_a, self.secretary)
            for code in list(codes.values())[:12]:
                submit(code, survey)
        self.assertEqual(set(survey.responses.values_list("group", flat=True)), {None})
        with time_machine.travel(AFTER, tick=False):
            self.assertEqual(results.compute(survey, date(2026, 4, 2)).groups, [])


@ENGLISH
class SatisfactionTest(ResultsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(DURING, tick=False):
            for n, code in enumerate(cls.by_group["a1"][:8] + cls.by_group["a3"][:4]):
                level = 3 if n in (2, 7) else 4 if n % 3 else 5
                texts = {"意见建议": ["=1+1", "希望多来看看", "谢谢支部"][n % 3]} if n < 3 else {}
                submit(code, cls.survey, level=level, **texts)

    def test_results_are_hidden_while_the_survey_is_open(self):
        with time_machine.travel(DURING, tick=False):
            r = results.compute(self.survey, date(2026, 3, 10))
            self.client.force_login(self.liaison)
            page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        self.assertFalse(r.visible)
        self.assertEqual((r.responses, r.questions, r.groups), (12, [], []))
        self.assertContains(page, "shown when the survey has closed")
        self.assertNotContains(page, "Satisfaction by question")

    def test_results_are_hidden_when_fewer_than_five_answered(self):
        survey = make_survey(self.centre_a, title="很少人答")
        with time_machine.travel(DURING, tick=False):
            for code in list(issue_slips(survey, self.centre_a, self.secretary).values())[:4]:
                submit(code, survey)
        with time_machine.travel(AFTER, tick=False):
            r = results.compute(survey, date(2026, 4, 2))
        self.assertFalse(r.visible)
        self.assertIn("Fewer than 5", r.hidden_reason)

    def test_satisfaction_agrees_with_an_independent_count_of_the_answers(self):
        r = self.results()
        satisfied, answered = independent_satisfaction(self.survey)
        self.assertEqual((r.satisfied, r.answered), (satisfied, answered))
        self.assertEqual((r.satisfied, r.answered), (60, 72))  # 12 questionnaires × 6 questions, two gave 一般
        self.assertEqual(r.satisfaction, Decimal("83.3"))
        self.assertEqual(r.invited, 21)
        self.assertEqual(r.rate, Decimal("57.1"))

    def test_satisfaction_per_question_counts_each_level(self):
        r = self.results()
        learning = next(qr for qr in r.questions if qr.question.short_label == "学习教育")
        self.assertEqual([t.n for t in learning.counts], [4, 6, 2, 0, 0])
        self.assertEqual((learning.satisfied, learning.answered, learning.satisfaction), (10, 12, Decimal("83.3")))

    def test_free_text_is_listed_sorted_not_by_arrival(self):
        r = self.results()
        texts = next(qr for qr in r.questions if qr.question.short_label == "意见建议").texts
        self.assertEqual(texts, sorted(["=1+1", "希望多来看看", "谢谢支部"]))

    def test_the_results_page_shows_the_rate_and_links_to_how_it_was_computed(self):
        self.client.force_login(self.liaison)
        with time_machine.travel(AFTER, tick=False), self.assertNumQueries(20):
            page = self.client.get(reverse("survey_results", args=[self.survey.pk]))
        self.assertContains(page, "83.3%")
        self.assertContains(page, reverse("survey_results_how", args=[self.survey.pk]))
        self.assertContains(page, "57.1%")

    def test_the_how_page_gives_the_rule_the_sum_and_every_questionnaire(self):
        self.client.force_login(self.liaison)
        with time_machine.travel(AFTER, tick=False):
            page = self.client.get(reverse("survey_results_how", args=[self.survey.pk]))
        self.assertContains(page, "满意率＝所有满意度题目的有效回答中")
        self.assertContains(page, "60 ÷ 72 = 83.3%")
        self.assertContains(page, "Codes used: 12; questionnaires stored: 12.")
        self.assertContains(page, "Every questionnaire came in with a code of its own.")
        self.assertContains(page, "<tr><td>", count=12)
        self.assertNotContains(page, "希望多来看看")  # free text is never shown beside a questionnaire

    def test_the_excel_file_reads_back_with_the_same_figures(self):
        self.client.force_login(self.secretary)
        with time_machine.travel(AFTER, tick=False):
            response = self.client.get(reverse("survey_results_download", args=[self.survey.pk, "xlsx"]))
        book = load_workbook(io.BytesIO(response.content))
        summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(summary["满意率"], "83.3%")
        self.assertEqual(summary["收回答卷（份）"], 12)
        self.assertEqual(summary["纸质录入（份）"], 12)
        header, *rows = list(book["答卷"].iter_rows(values_only=True))
        self.assertEqual(len(rows), 12)
        self.assertEqual(header[:3], ("答卷编号", "学习教育", "结对联系"))
        level_cells = [cell for row in rows for cell in row[1:7]]
        self.assertEqual(sum(1 for c in level_cells if c in ("非常满意", "满意")), 60)
        texts = [row[1] for row in book["意见建议"].iter_rows(min_row=2, values_only=True)]
        self.assertEqual(texts, sorted(["=1+1", "希望多来看看", "谢谢支部"]))
        self.assertEqual(book["意见建议"]["B2"].data_type, "s")  # "=1+1" is text, not a formula
        # A1's 8 answers beside A3's 4 would let A3 be read off by subtraction: no group sheet at all.
        self.assertNotIn("党小组", book.sheetnames)

    def test_the_pdf_is_one_page_with_the_rate_and_the_chart(self):
        self.client.force_login(self.secretary)
        with time_machine.travel(AFTER, tick=False):
            response = self.client.get(reverse("survey_results_download", args=[self.survey.pk, "pdf"]))
        reader = PdfReader(io.BytesIO(response.content))
        self.assertEqual(len(reader.pages), 1)
        text = reader.pages[0].extract_text()
        for expected in ("83.3%", "57.1%", "各项满意率", "学习教育", "满意率＝"):
            self.assertIn(expected, text)

    def test_exports_are_audited_and_refused_while_hidden(self):
        from laogan.accounts.models import AuditEntry

        with time_machine.travel(DURING, tick=False):
            self.client.force_login(self.secretary)
            self.assertEqual(self.client.get(reverse("survey_results_download", args=[self.survey.pk, "xlsx"])).status_code, 404)
        with time_machine.travel(AFTER, tick=False):
            self.client.force_login(self.secretary)
            self.assertEqual(self.client.get(reverse("survey_results_download", args=[self.survey.pk, "xlsx"])).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="export", detail="survey results xlsx").exists())

    def test_the_figures_count_closed_surveys_in_the_year_they_closed(self):
        year = Period.year(2026)
        with time_machine.travel(AFTER, tick=False):
            self.assertEqual(figures.get("survey_responses").value(self.centre_a, year), 0)  # not closed by the worker yet
            self.assertEqual(actions.close_due_surveys(date(2026, 4, 2)), 1)
            self.assertEqual(figures.get("survey_responses").value(self.centre_a, year), 12)
            self.assertEqual(figures.get("survey_satisfaction").value(self.centre_a, year), Decimal("83.33"))
            self.assertEqual(figures.get("survey_response_rate").value(self.centre_a, year), Decimal("57.14"))
            self.assertEqual(figures.get("survey_satisfaction").value(self.centre_b, year), Decimal("0.00"))
            self.assertEqual(figures.get("survey_responses").value(self.centre_a, Period.year(2025)), 0)
            self.assertEqual(figures.get("survey_satisfaction").records(self.centre_a, year).count(), 12)

    def test_the_figure_records_page_lists_questionnaires_without_names(self):
        with time_machine.travel(AFTER, tick=False):
            actions.close_due_surveys(date(2026, 4, 2))
            self.client.force_login(self.secretary)
            page = self.client.get(reverse("figure_records", args=["survey_satisfaction"]) + "?year=2026")
        self.assertContains(page, "6题中")
        self.assertNotContains(page, "张建国")
        self.assertContains(page, question(self.survey, "意见建议").survey.title)

"""No stored row links an answer to a member or to a code.

Answers are given every way there is (online, paper, telephone; codes on slips and by text message), then every
table of the database is read back with raw SQL and every model in the registry is inspected.
"""

import re
import uuid

import time_machine
from django.apps import apps
from django.db import connection, models
from django.urls import reverse

from laogan.accounts.models import Unit, User
from laogan.jobs.messaging import deliver_messages
from laogan.jobs.models import Message
from laogan.members.models import Member
from laogan.surveys import actions, codes
from laogan.surveys.forms import field_name
from laogan.surveys.models import (
    Answer, Choice, EntryTally, Invitation, IssueBatch, IssueChannel, Question, QuestionKind, Response, Survey,
    SurveyCode, TextAnswer,
)

from .helpers import ANSWER_URL, CODE_RE, DURING, ENGLISH, SurveyTestCase, issue_slips, make_survey, question

ANSWER_MODELS = (Response, Answer, TextAnswer)
# What an answer row may point at: the survey and its questions, and the coarse party group.
ALLOWED_TARGETS = {Response: {Survey, Unit}, Answer: {Response, Question, Choice}, TextAnswer: {Survey, Question}}


def all_rows():
    """Yield (table, column names, row) for every row of every table, read with raw SQL."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                yield table, columns, row


def uuid_forms(value):
    u = uuid.UUID(str(value))
    return {u.hex, str(u)}


@ENGLISH
@time_machine.travel(DURING, tick=False)
class NoStoredLinkTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey = make_survey(cls.centre_a, acting_user=cls.secretary)

    def give_answers(self):
        """Answer by text-message code online, by slip on paper and by telephone; return (codes, texts)."""
        issued = actions.do_issue_codes(self.survey, self.group_a1, channel=IssueChannel.SMS, acting_user=self.secretary,
                                        answer_url=ANSWER_URL)
        self.assertEqual(issued.sent, 6)
        sms_codes = [CODE_RE.search(m.body).group(0) for m in Message.objects.order_by("id")]
        slip_codes = list(issue_slips(self.survey, self.group_a2, self.secretary).values())
        texts = []
        url = reverse("survey_answer")
        for n, code in enumerate(sms_codes[:4]):
            page = self.client.post(url, {"code": code})
            token = re.search(r'name="t" value="([^"]+)"', page.content.decode()).group(1)
            data = {"t": token, "step": "9", "nav": "submit", field_name(question(self.survey, "意见建议")): f"网上意见{n}"}
            for q in self.survey.questions.filter(kind=QuestionKind.SCALE):
                data[field_name(q)] = str(5 - n % 2)
            self.assertContains(self.client.post(url, data), "Thank you")
            texts.append(f"网上意见{n}")
        self.client.force_login(self.liaison)
        entry = reverse("survey_entry", args=[self.survey.pk])
        for n, (code, channel) in enumerate([(slip_codes[0], "paper"), (slip_codes[1], "paper"), (sms_codes[4], "phone")]):
            data = {"channel": channel, "code": code, field_name(question(self.survey, "意见建议")): f"纸质意见{n}"}
            for q in self.survey.questions.filter(kind=QuestionKind.SCALE):
                data[field_name(q)] = "4"
            self.assertEqual(self.client.post(entry, data).status_code, 302)
            texts.append(f"纸质意见{n}")
        self.client.logout()
        deliver_messages()
        actions.scrub_code_messages()
        return sms_codes + slip_codes, texts

    def test_every_table_read_with_raw_sql_holds_no_link_between_an_answer_and_a_member_or_code(self):
        all_codes, texts = self.give_answers()
        self.assertEqual(Response.objects.count(), 7)
        hashes = {codes.code_hash(c) for c in all_codes}
        code_forms = {c for c in all_codes} | {codes.display(c) for c in all_codes}
        response_ids = set().union(*(uuid_forms(pk) for pk in Response.objects.values_list("pk", flat=True)))
        answer_ids = set().union(*(uuid_forms(pk) for pk in Answer.objects.values_list("pk", flat=True)))
        names = {m.name for m in Member.objects.all()}
        survey_tables = {m._meta.db_table for m in apps.get_app_config("surveys").get_models()}
        seen_tables = set()
        for table, columns, row in all_rows():
            seen_tables.add(table)
            cells = {col: ("" if v is None else str(v)) for col, v in zip(columns, row)}
            text = " ".join(cells.values())
            where = f"{table} {cells}"
            # No code in clear anywhere: not in answers, audit, outbox (scrubbed after delivery) or sessions.
            self.assertFalse(any(c in text for c in code_forms), where)
            # The keyed hash lives in the code table only, which has no member and no answer column.
            for col, value in cells.items():
                if value in hashes:
                    self.assertEqual((table, col), (SurveyCode._meta.db_table, "code_hash"), where)
                if value in response_ids:
                    self.assertIn((table, col), {(Response._meta.db_table, "id"), (Answer._meta.db_table, "response_id")}, where)
                if value in answer_ids:
                    self.assertEqual((table, col), (Answer._meta.db_table, "id"), where)
            # Free text is found in its own table only (never in an audit entry or a log row).
            if any(t in text for t in texts):
                self.assertEqual(table, TextAnswer._meta.db_table, where)
            # No survey table names a member.
            if table in survey_tables:
                self.assertFalse(any(n in text for n in names), where)
        self.assertTrue({Response._meta.db_table, Answer._meta.db_table, TextAnswer._meta.db_table,
                         SurveyCode._meta.db_table, Message._meta.db_table} <= seen_tables)

    def test_answer_tables_reference_nothing_but_the_survey_its_questions_and_the_group(self):
        self.give_answers()
        with connection.cursor() as cursor:
            for model in ANSWER_MODELS:
                relations = connection.introspection.get_relations(cursor, model._meta.db_table)
                targets = {relation[1] for relation in relations.values()}  # (column, table[, on_delete])
                allowed = {m._meta.db_table for m in ALLOWED_TARGETS[model]}
                self.assertLessEqual(targets, allowed, model.__name__)
                columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
                for col in columns:
                    kind = connection.introspection.get_field_type(col.type_code, col)
                    self.assertNotIn(kind, ("DateField", "DateTimeField", "TimeField"), f"{model.__name__}.{col.name}")

    def test_the_model_registry_has_no_path_from_an_answer_to_a_member_code_or_user(self):
        forbidden = {Member, SurveyCode, Invitation, IssueBatch, EntryTally, User, Message}
        for model in ANSWER_MODELS:
            for f in model._meta.get_fields():
                if f.is_relation and f.concrete:
                    self.assertIn(f.related_model, ALLOWED_TARGETS[model], f"{model.__name__}.{f.name}")
                    self.assertNotIn(f.related_model, forbidden)
                self.assertNotIsInstance(f, (models.DateField, models.TimeField), f"{model.__name__}.{f.name}")
            # Keys are random, so the primary key says nothing about when a row came.
            self.assertIsInstance(model._meta.pk, models.UUIDField)
            self.assertIs(model._meta.pk.default, uuid.uuid4)
        for model in apps.get_models():
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in ANSWER_MODELS:
                    self.assertEqual((model, f.related_model), (Answer, Response), f"{model.__name__}.{f.name}")

    def test_a_code_row_names_no_member_and_records_no_time(self):
        field_names = {f.name for f in SurveyCode._meta.concrete_fields}
        self.assertEqual(field_names, {"id", "survey", "batch", "code_hash", "group", "used", "void"})
        self.assertNotIn("code", {f.name for f in Invitation._meta.concrete_fields} | {f.name for f in IssueBatch._meta.concrete_fields})

    def test_free_text_and_responses_are_not_stored_in_the_order_they_came(self):
        slips = issue_slips(self.survey, self.centre_a, self.secretary)
        label = question(self.survey, "意见建议").pk
        order = []
        for n, code in enumerate(slips.values()):
            text = f"第{n:02d}份意见"
            actions.do_submit_response(code, {label: text}, channel="paper", entered_by=self.liaison)
            order.append(text)
        column = "ctid" if connection.vendor == "postgresql" else "rowid"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT text FROM {TextAnswer._meta.db_table} ORDER BY {column}")
            stored = [r[0] for r in cursor.fetchall()]
        self.assertCountEqual(stored, order)
        self.assertNotEqual(stored, order)
        self.assertNotEqual(stored[-1], order[-1])

    def test_text_messages_keep_the_code_only_until_delivered(self):
        actions.do_issue_codes(self.survey, self.group_a1, channel=IssueChannel.SMS, acting_user=self.secretary,
                               answer_url=ANSWER_URL)
        self.assertTrue(all(CODE_RE.search(m.body) for m in Message.objects.all()))
        self.assertEqual(actions.scrub_code_messages(), 0)  # nothing delivered yet: the member still needs it
        deliver_messages()
        self.assertEqual(actions.scrub_code_messages(), 6)
        for m in Message.objects.all():
            self.assertIsNone(CODE_RE.search(m.body))
            self.assertIn("****-****", m.body)
            self.assertTrue(m.to_address)

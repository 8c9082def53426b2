"""建言献策: received → forwarded → answered → adopted / not adopted; wrong steps refused; overdue replies flagged on
the dashboard and in the list; the year's table by field and outcome."""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from laogan.lib.worklist import panels_for

from ..actions import do_answer, do_create_default_groups, do_decide, do_forward, do_record_suggestion
from ..models import Suggestion, SuggestionStatus
from .base import ActivityTestCase, frozen


class SuggestionTestCase(ActivityTestCase):
    def suggest(self, member=None, field="建设", received_on=date(2026, 3, 2), **kw):
        return do_record_suggestion(centre=self.centre_a, member=member if member or kw.get("group") else self.zhang,
                                    text="北湖路老旧小区楼道狭窄，建议加装扶手。", field=field, received_on=received_on,
                                    acting_user=self.liaison, **kw)


@frozen(2026, 6, 30)
class LifecycleTest(SuggestionTestCase):
    def test_a_suggestion_goes_from_received_to_adopted(self):
        s = self.suggest()
        self.assertEqual(s.status, SuggestionStatus.RECEIVED)
        do_forward(s, to="城区住建局", on=date(2026, 3, 5), acting_user=self.liaison)
        self.assertEqual((s.status, s.forwarded_to, s.reply_due), (SuggestionStatus.FORWARDED, "城区住建局", date(2026, 4, 4)))
        do_answer(s, reply="已列入老旧小区改造计划。", on=date(2026, 3, 30), acting_user=self.liaison)
        do_decide(s, adopted=True, on=date(2026, 4, 10), note="已纳入计划", acting_user=self.secretary)
        s.refresh_from_db()
        self.assertEqual((s.status, s.answered_on, s.decided_on), (SuggestionStatus.ADOPTED, date(2026, 3, 30), date(2026, 4, 10)))

    def test_wrong_steps_are_refused_with_a_clear_message_and_change_nothing(self):
        s = self.suggest()
        with self.assertRaisesMessage(ValidationError, "Only a forwarded suggestion can get its reply; this one is “Received”."):
            do_answer(s, reply="好", on=date(2026, 3, 9), acting_user=self.liaison)
        with self.assertRaisesMessage(ValidationError, "Adoption is decided once the reply is in"):
            do_decide(s, adopted=True, on=date(2026, 3, 9), acting_user=self.liaison)
        do_forward(s, to="城区住建局", on=date(2026, 3, 5), acting_user=self.liaison)
        with self.assertRaisesMessage(ValidationError, "Only a suggestion just received can be forwarded"):
            do_forward(s, to="城区党政办", on=date(2026, 3, 6), acting_user=self.liaison)
        s.refresh_from_db()
        self.assertEqual((s.status, s.forwarded_to), (SuggestionStatus.FORWARDED, "城区住建局"))

    def test_dates_out_of_order_are_refused(self):
        s = self.suggest()
        with self.assertRaises(ValidationError) as e:
            do_forward(s, to="城区住建局", on=date(2026, 3, 1), acting_user=self.liaison)
        self.assertIn("before it was received", str(e.exception))
        with self.assertRaises(ValidationError):
            do_forward(s, to="城区住建局", on=date(2026, 7, 1), acting_user=self.liaison)
        self.assertEqual(Suggestion.objects.get(pk=s.pk).status, SuggestionStatus.RECEIVED)

    @override_settings(LAOGAN_SUGGESTION_REPLY_DAYS=15)
    def test_the_reply_period_is_configurable_and_can_be_set_per_suggestion(self):
        s = self.suggest()
        do_forward(s, to="城区住建局", on=date(2026, 3, 5), acting_user=self.liaison)
        self.assertEqual(s.reply_due, date(2026, 3, 20))
        t = self.suggest()
        do_forward(t, to="城区住建局", on=date(2026, 3, 5), reply_due=date(2026, 5, 1), acting_user=self.liaison)
        self.assertEqual(t.reply_due, date(2026, 5, 1))

    def test_a_suggestion_comes_from_a_member_or_a_group_of_the_centre(self):
        group = do_create_default_groups(self.centre_a, acting_user=self.secretary)[1]
        s = self.suggest(group=group, field="农业")
        self.assertEqual((s.author, s.unit_path), ("农业组", self.centre_a.path))
        with self.assertRaisesMessage(ValidationError, "Choose a member of this centre."):
            self.suggest(member=self.zhou)

    def test_the_pages_walk_the_lifecycle(self):
        s = self.suggest()
        self.login(self.liaison)
        self.client.post(reverse("suggestion_forward", args=[s.pk]), {"to": "城区住建局", "on": "2026-03-05"})
        self.client.post(reverse("suggestion_answer", args=[s.pk]), {"reply": "已列入计划", "on": "2026-03-30"})
        page = self.client.post(reverse("suggestion_decide", args=[s.pk]), {"adopted": "no", "on": "2026-04-02"}, follow=True)
        self.assertContains(page, "Not adopted")
        again = self.client.post(reverse("suggestion_answer", args=[s.pk]), {"reply": "再答复", "on": "2026-04-03"}, follow=True)
        self.assertContains(again, "Only a forwarded suggestion can get its reply")
        s.refresh_from_db()
        self.assertEqual((s.status, s.reply), (SuggestionStatus.NOT_ADOPTED, "已列入计划"))


class OverdueTest(SuggestionTestCase):
    def setUp(self):
        with frozen(2026, 3, 10):
            self.late = self.suggest()
            do_forward(self.late, to="城区住建局", on=date(2026, 3, 5), acting_user=self.liaison)  # due 4 April
            self.answered = self.suggest(field="农业")
            do_forward(self.answered, to="城区农业局", on=date(2026, 3, 5), acting_user=self.liaison)
            do_answer(self.answered, reply="已研究", on=date(2026, 3, 9), acting_user=self.liaison)

    def panel(self, user, today):
        return next(p for p in panels_for(user, today) if p.key == "suggestions_overdue")

    def test_a_reply_is_overdue_the_day_after_it_was_due(self):
        with frozen(2026, 4, 4):
            self.assertEqual(list(Suggestion.objects.overdue(date(2026, 4, 4))), [])
            self.assertEqual(self.panel(self.liaison, date(2026, 4, 4)).count, 0)
        with frozen(2026, 4, 5):
            self.assertEqual(list(Suggestion.objects.overdue(date(2026, 4, 5))), [self.late])
            panel = self.panel(self.liaison, date(2026, 4, 5))
            self.assertEqual((panel.count, panel.items[0].url), (1, self.late.get_absolute_url()))
            self.login(self.liaison)
            page = self.client.get(reverse("suggestion_list") + "?state=overdue")
            self.assertEqual([s.pk for s in page.context["page"]], [self.late.pk])
            self.assertContains(self.client.get(self.late.get_absolute_url()), "reply overdue")

    def test_the_answer_clears_the_flag_and_the_outsider_never_sees_it(self):
        with frozen(2026, 4, 20):
            self.assertEqual(self.panel(self.outsider, date(2026, 4, 20)).count, 0)
            do_answer(self.late, reply="已答复", on=date(2026, 4, 20), acting_user=self.liaison)
            self.assertEqual(self.panel(self.liaison, date(2026, 4, 20)).count, 0)


@frozen(2026, 12, 1)
class YearlyTest(SuggestionTestCase):
    def test_the_year_is_counted_by_field_and_outcome_and_each_cell_links_to_its_list(self):
        for field in ("建设", "建设", "农业"):
            self.suggest(field=field)
        s = self.suggest(field="农业")
        do_forward(s, to="城区农业局", on=date(2026, 3, 5), acting_user=self.liaison)
        self.suggest(field="建设", received_on=date(2025, 12, 30))  # last year
        self.login(self.secretary)
        page = self.client.get(reverse("suggestion_yearly") + "?year=2026")
        rows = {r["field"]: [n for n, _u in r["cells"]] for r in page.context["rows"]}
        self.assertEqual(rows["建设"], [2, 0, 0, 0, 0])
        self.assertEqual(rows["农业"], [1, 1, 0, 0, 0])
        self.assertEqual(page.context["grand"], 4)
        url = next(r for r in page.context["rows"] if r["field"] == "建设")["cells"][0][1]
        listed = self.client.get(url)
        self.assertEqual(listed.context["page"].paginator.count, 2)

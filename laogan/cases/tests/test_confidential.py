"""A confidential case (every grievance mediation) exists only for its owner, the centre's secretary and those the
secretary granted: everyone else gets 404 from every address of it, and no list, count, figure, panel, message or
audit line they can read reveals it."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from laogan.accounts.models import AuditAction, AuditEntry
from laogan.jobs.models import Message
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.lib.worklist import panels_for
from laogan.members.models import Member

from ..actions import do_add_note, do_add_party, do_attach, do_grant, do_revoke
from ..jobs import notify_overdue_steps
from ..models import Kind, NoteKind, PartyRole
from .base import CaseTestCase, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@time_machine.travel(at(2026, 5, 20, 9), tick=False)
class ConfidentialTest(CaseTestCase):
    def setUp(self):
        # Owned by staff2; the member's own liaison (self.liaison) is outside the grant.
        self.case = self.open_case(Kind.MEDIATION, by=self.secretary, owner=self.staff2, opened_on=date(2026, 4, 1),
                                   summary="对离休待遇有意见", assessment="多年反映")
        self.party = do_add_party(self.case, role=PartyRole.MEDIATOR, member=self.other, acting_user=self.secretary)
        from laogan.lib.documents import CheckedFile

        self.attachment = do_attach(self.case, CheckedFile("pdf", PDF, "谈话记录.pdf"), acting_user=self.staff2)
        self.plain = self.open_case(Kind.HARDSHIP, summary="老伴住院", opened_on=date(2026, 5, 1))

    def urls(self):
        pk, step = self.case.pk, self.case.steps.first().pk
        gets = [reverse("case_detail", args=[pk]), reverse("case_attachment", args=[pk, self.attachment.pk])]
        posts = [reverse(name, args=[pk]) for name in (
            "case_edit", "case_step_add", "case_close", "case_reopen", "case_owner", "case_note", "case_party_add",
            "case_help", "case_attach", "case_grant")]
        posts += [reverse("case_step_done", args=[pk, step]), reverse("case_step_skip", args=[pk, step]),
                  reverse("case_party_remove", args=[pk, self.party.pk]), reverse("case_party_phone", args=[pk, self.party.pk]),
                  reverse("case_revoke", args=[pk, self.liaison.pk])]
        return gets, posts

    def test_everyone_outside_the_grant_gets_404_from_every_address(self):
        gets, posts = self.urls()
        for user in (self.liaison, self.admin, self.outsider):
            self.login(user)
            for url in gets:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            for url in posts:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.post(url, {}).status_code, 404)
        self.assertTrue(self.case.steps.filter(status="open").exists())  # nothing was done on their behalf

    def test_the_owner_the_secretary_and_a_grantee_see_it(self):
        for user in (self.staff2, self.secretary):
            self.login(user)
            self.assertContains(self.client.get(self.case.get_absolute_url()), "对离休待遇有意见")
        self.login(self.liaison)
        self.assertEqual(self.client.get(self.case.get_absolute_url()).status_code, 404)
        do_grant(self.case, user=self.liaison, acting_user=self.secretary)
        self.assertEqual(self.client.get(self.case.get_absolute_url()).status_code, 200)
        do_revoke(self.case, user=self.liaison, acting_user=self.secretary)
        self.assertEqual(self.client.get(self.case.get_absolute_url()).status_code, 404)

    def test_only_the_secretary_grants_access(self):
        with self.assertRaises(ValidationError):
            do_grant(self.case, user=self.liaison, acting_user=self.staff2)
        self.login(self.staff2)
        response = self.client.post(reverse("case_grant", args=[self.case.pk]), {"grant-user": self.liaison.pk})
        self.assertEqual(response.status_code, 403)
        self.login(self.secretary)
        response = self.client.post(reverse("case_grant", args=[self.case.pk]), {"grant-user": self.liaison.pk})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.case.grants.filter(user=self.liaison).exists())

    def test_every_view_is_audited_without_naming_the_member(self):
        self.login(self.secretary)
        self.client.get(self.case.get_absolute_url())
        self.client.get(reverse("case_attachment", args=[self.case.pk, self.attachment.pk]))
        reveals = AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(self.case.pk))
        self.assertEqual(reveals.count(), 2)
        self.assertEqual({e.actor for e in reveals}, {self.secretary})
        for entry in AuditEntry.objects.filter(object_type="cases.case", object_id=str(self.case.pk)):
            self.assertEqual(entry.object_repr, f"保密案件 #{self.case.pk}")
            self.assertNotIn("张建国", str(entry.changes) + entry.detail)
            self.assertNotIn("李秀英", str(entry.changes) + entry.detail)

    def test_lists_and_the_member_page_show_nothing_of_it_outside_the_grant(self):
        self.login(self.liaison)

        def listed(query):
            return self.client.get(reverse("case_list") + query).context["page"].paginator.count

        page = self.client.get(reverse("case_list") + "?state=all")
        self.assertEqual(page.context["page"].paginator.count, 1)
        self.assertNotContains(page, "对离休待遇有意见")
        self.assertEqual(listed("?state=all&kind=mediation"), 0)
        self.assertEqual(listed("?state=overdue"), 1)  # the hardship case; the mediation's overdue steps stay hidden
        member_page = self.client.get(reverse("member_detail", args=[self.member.pk]))
        self.assertContains(member_page, "家庭困难帮扶")
        for text in ("新老联手", "对离休待遇有意见", "confidential", "保密"):
            self.assertNotContains(member_page, text)
        self.login(self.secretary)
        self.assertEqual(listed("?state=all"), 2)

    def test_no_panel_outside_the_grant_lists_its_steps(self):
        today = date(2026, 5, 20)  # the mediation steps are overdue by now
        own = [p for p in panels_for(self.staff2, today) if p.key == "case_steps"][0]
        self.assertTrue(any("新老联手" in i.text for i in own.items))
        panel = [p for p in panels_for(self.liaison, today) if p.key == "case_steps"][0]
        self.assertFalse(any("新老联手" in i.text for i in panel.items))
        self.assertEqual(panel.count, len(panel.items))

    def test_registered_figures_never_count_it(self):
        period = Period.year(2026)
        self.assertEqual(figures.get("cases_opened").value(self.centre_a, period), 1)
        self.assertEqual(figures.get("case_steps_overdue").value(self.centre_a, Period.month(2026, 4)), 0)
        self.login(self.liaison)
        page = self.client.get(reverse("figure_records", args=["cases_opened"]) + "?from=2026-01-01&to=2026-12-31")
        self.assertContains(page, "老伴住院")
        self.assertNotContains(page, "对离休待遇有意见")

    def test_the_case_figures_page_counts_it_for_the_secretary_only(self):
        self.login(self.liaison)
        rows = self.client.get(reverse("case_figures")).context["rows"]
        self.assertEqual(next(r.opened for r in rows if r.case_type.code == Kind.MEDIATION), 0)
        self.login(self.secretary)
        rows = self.client.get(reverse("case_figures")).context["rows"]
        self.assertEqual(next(r.opened for r in rows if r.case_type.code == Kind.MEDIATION), 1)

    def test_a_conversation_in_it_does_not_show_up_as_a_contact(self):
        before = Member.objects.get(pk=self.member.pk).last_contact_at
        do_add_note(self.case, kind=NoteKind.CONVERSATION, text="谈心两小时", happened_on=date(2026, 5, 19),
                    with_whom="李秀英", acting_user=self.staff2)
        self.assertEqual(Member.objects.get(pk=self.member.pk).last_contact_at, before)
        do_add_note(self.plain, kind=NoteKind.CONVERSATION, text="电话了解", happened_on=date(2026, 5, 19),
                    acting_user=self.liaison)
        self.assertEqual(Member.objects.get(pk=self.member.pk).last_contact_at, at(2026, 5, 19, 12))

    def test_its_steps_never_go_to_the_members_liaison(self):
        hidden = self.open_case(Kind.HARDSHIP, by=self.secretary, owner=self.staff2, confidential=True)
        self.assertIsNone(hidden.steps.get(code="confirm").assignee)  # the owner's, not the liaison's

    def test_messages_about_it_name_nobody(self):
        notify_overdue_steps(at(2026, 5, 20, 9))
        bodies = list(Message.objects.filter(recipient=self.staff2).values_list("body", flat=True))
        self.assertTrue(bodies)
        for body in bodies:
            self.assertNotIn("张建国", body)
            self.assertIn("保密案件", body)

    def test_uploading_into_it_from_outside_is_404(self):
        self.login(self.liaison)
        upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
        response = self.client.post(reverse("case_attach", args=[self.case.pk]), {"attach-file": upload})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.case.attachments.count(), 1)

"""The cases app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Staff, secretaries and admins work on cases, group leaders read them; closing, reopening, handing over and skipping
are the owner's or the secretary's. A confidential case exists only for its owner, the secretary and grantees: for
everyone else it is a 404, exactly like another centre's case.
"""

from laogan.cases.actions import do_add_party, do_attach, do_grant, do_open_case
from laogan.cases.actions.survivors import do_add_survivor
from laogan.cases.models import CaseType, Kind, PartyRole
from laogan.lib.documents import CheckedFile
from laogan.tests.matrix import Route, expect, post_only

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build(world):
    types = {t.code: t for t in CaseType.objects.all()}
    world.case = do_open_case(world.member, case_type=types[Kind.HARDSHIP], acting_user=world.liaison,
                              owner=world.liaison, summary="矩阵困难帮扶")
    world.step = world.case.steps.first()
    world.party = do_add_party(world.case, role=PartyRole.FAMILY, name="覃矩阵家属", phone="13977100888",
                               acting_user=world.liaison)
    world.attachment = do_attach(world.case, CheckedFile("pdf", PDF, "矩阵证明.pdf"), acting_user=world.liaison)
    # Confidential, owned by the secretary, granted to the liaison.
    world.secret_case = do_open_case(world.member, case_type=types[Kind.MEDIATION], acting_user=world.secretary,
                                     owner=world.secretary, summary="矩阵保密调解", confidential=True)
    do_grant(world.secret_case, user=world.liaison, acting_user=world.secretary)
    world.survivor = do_add_survivor(world.deceased, name="蒙矩阵遗属", relationship="配偶", phone="13977100777",
                                     address="矩阵遗属住址", acting_user=world.liaison)
    world.secrets += ["覃矩阵家属", "13977100888", "矩阵困难帮扶", "矩阵保密调解", "蒙矩阵遗属", "13977100777"]


def _case(w):
    return {"pk": w.case.pk}


def _secret(w):
    return {"pk": w.secret_case.pk}


def _survivor(w):
    return {"pk": w.survivor.pk}


# Work on a case: the case is looked up first (the viewer is refused before that, having no personal data).
WORK = expect("staff-only", 400)

ROUTES = [
    Route("case_list", get=expect("personal-data", obj=False), htmx=True),
    Route("case_new", query=lambda w: {"member": w.member.pk}, get=expect("staff-only"), post=expect("staff-only")),
    Route("case_figures", get=expect("personal-data", obj=False)),
    Route("case_detail", kwargs=_case, get=expect("personal-data"), writes=True),
    Route("case_attachment", kwargs=lambda w: {"pk": w.case.pk, "attachment_pk": w.attachment.pk},
          get=expect("personal-data"), writes=True),
    Route("case_edit", kwargs=_case, get=post_only(), post=WORK),
    Route("case_step_done", kwargs=lambda w: {"pk": w.case.pk, "step_pk": w.step.pk}, get=post_only(), post=WORK),
    Route("case_step_skip", kwargs=lambda w: {"pk": w.case.pk, "step_pk": w.step.pk}, get=post_only(), post=WORK),
    Route("case_step_add", kwargs=_case, get=post_only(), post=WORK),
    Route("case_close", kwargs=_case, get=post_only(), post=WORK),
    Route("case_reopen", kwargs=_case, get=post_only(), post=WORK),
    Route("case_owner", kwargs=_case, get=post_only(), post=WORK),
    Route("case_note", kwargs=_case, get=post_only(), post=WORK),
    Route("case_party_add", kwargs=_case, get=post_only(), post=WORK),
    # Removing needs no data: the button is the form.
    Route("case_party_remove", kwargs=lambda w: {"pk": w.case.pk, "party_pk": w.party.pk}, get=post_only(),
          post=expect("staff-only", 302), writes=True),
    Route("case_party_phone", kwargs=lambda w: {"pk": w.case.pk, "party_pk": w.party.pk}, get=post_only(),
          post=expect("personal-data"), htmx=True, writes=True),
    Route("case_help", kwargs=_case, get=post_only(), post=WORK),
    Route("case_attach", kwargs=_case, get=post_only(), post=WORK),
    # Only the centre's secretary grants and revokes access to a confidential case; the grantee (the liaison) sees
    # it but may not grant; everyone else gets 404.
    Route("case_grant", kwargs=_secret, get=post_only(),
          post=expect("managers", 400, liaison=403, group_leader=404, outsider=404, admin=404), writes=True,
          note="the refused form comes back on the case page, and every view of a confidential case is audited"),
    Route("case_revoke", kwargs=lambda w: {"pk": w.secret_case.pk, "user_pk": w.liaison.pk}, get=post_only(),
          post=expect("managers", 302, liaison=403, group_leader=404, outsider=404, admin=404), writes=True),
    Route("survivor_list", get=expect("personal-data", obj=False)),
    Route("survivor_new", kwargs=lambda w: {"member_pk": w.deceased.pk}, get=expect("staff-only"),
          post=expect("staff-only")),
    Route("survivor_visit", kwargs=_survivor, get=post_only(), post=expect("staff-only", 302)),
    Route("survivor_stop", kwargs=_survivor, get=post_only(), post=expect("staff-only", 302)),
    # Resuming needs no data (stopping needs a reason).
    Route("survivor_resume", kwargs=_survivor, get=post_only(), post=expect("staff-only", 302), writes=True),
    Route("survivor_phone", kwargs=_survivor, get=post_only(), post=expect("personal-data"), htmx=True, writes=True),
]

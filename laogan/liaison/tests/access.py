"""The liaison app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Staff, secretaries and admins work the roster; centre-wide changes (policy, balancing, pairings, partner units and
their commitments) are the secretary's or admin's; group leaders only log contacts. Pages about a centre name it as
?centre=CODE.
"""

from datetime import date

from laogan.liaison.models import ActivityPhoto, Commitment, GroupPairing, JointActivity, PartnerUnit
from laogan.members.tests.access import jpeg
from laogan.tests.matrix import Route, expect, post_only


def build(world):
    world.partner_unit = PartnerUnit.objects.create(centre=world.centre_a, name="矩阵党校", contact_person="韦矩阵联系人")
    world.commitment = Commitment.objects.create(partner=world.partner_unit, title="矩阵培训班", first_year=2025)
    world.activity = JointActivity.objects.create(partner=world.partner_unit, commitment=world.commitment,
                                                  title="矩阵培训班", date=date(2026, 3, 1), place="党校", attendance=20,
                                                  recorded_by=world.liaison)
    world.activity_photo = ActivityPhoto.objects.create(activity=world.activity, image=jpeg("activity.jpg"))
    world.pairing = GroupPairing.objects.create(
        centre=world.centre_a, first_name="在职组", first_unit=world.branch_a, second_name="离休组",
        second_unit=world.group_a1, purpose="一联一", started_on=date(2026, 1, 1))


def _centre(w):
    return {"centre": w.centre_a.code}


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _partner(w):
    return {"partner_pk": w.partner_unit.pk}


# Forms about one pairing, partner unit, commitment or activity look it up before the role is checked: out of scope,
# and for the bureau viewer (who sees none), they are a 404 whoever asks.
ROUTES = [
    Route("liaison_roster", query=_centre, get=expect("staff-only")),
    Route("liaison_policy", query=_centre, get=post_only(), post=expect("managers", 302)),
    Route("liaison_balance", query=_centre, get=expect("managers"), post=expect("managers")),
    Route("liaison_balance_apply", query=_centre, get=post_only(), post=expect("managers", 302)),
    # The member is looked up first (404 out of scope, and for the viewer, who sees none); a refused form answers
    # htmx with its fragment and a plain POST with a redirect.
    Route("liaison_assign", kwargs=_pk("member"), get=post_only(),
          post=expect("managers", 302, outsider=404, viewer=404), htmx=True,
          htmx_post=expect("managers", 200, outsider=404, viewer=404)),
    Route("liaison_contact", kwargs=_pk("member"), get=expect("personal-data"), post=expect("personal-data")),
    # Printing one member's card needs no data: the PDF comes back and the print is recorded.
    Route("liaison_card_member", kwargs=_pk("member"), get=post_only(), post=expect("staff-only"), writes=True),
    Route("liaison_staff", kwargs=_pk("liaison"), get=expect("staff-only")),
    Route("liaison_mine", get=expect("signed-in", 302, obj=False)),
    Route("liaison_overdue", query=_centre, get=expect("staff-only")),
    Route("liaison_pairings", query=_centre, get=expect("staff-only")),
    Route("liaison_pairing_new", query=_centre, get=expect("managers"), post=expect("managers")),
    Route("liaison_pairing_edit", kwargs=_pk("pairing"), get=expect("managers", outsider=404, viewer=404),
          post=expect("managers", outsider=404, viewer=404)),
    Route("liaison_partners", query=_centre, get=expect("staff-only")),
    Route("liaison_partner_new", query=_centre, get=expect("managers"), post=expect("managers")),
    Route("liaison_partner", kwargs=_pk("partner_unit"), get=expect("staff-only")),
    Route("liaison_partner_edit", kwargs=_pk("partner_unit"), get=expect("managers", outsider=404, viewer=404),
          post=expect("managers", outsider=404, viewer=404)),
    Route("liaison_commitment_new", kwargs=_partner, get=expect("managers", outsider=404, viewer=404),
          post=expect("managers", outsider=404, viewer=404)),
    Route("liaison_commitment_edit", kwargs=_pk("commitment"), get=expect("managers", outsider=404, viewer=404),
          post=expect("managers", outsider=404, viewer=404)),
    Route("liaison_activity_new", kwargs=_partner, get=expect("staff-only", viewer=404),
          post=expect("staff-only", viewer=404)),
    Route("liaison_activity", kwargs=_pk("activity"), get=expect("staff-only")),
    Route("liaison_activity_edit", kwargs=_pk("activity"), get=expect("staff-only", viewer=404),
          post=expect("staff-only", viewer=404)),
    Route("liaison_activity_photos", kwargs=_pk("activity"), get=post_only(), post=expect("staff-only", 302)),
    Route("liaison_photo", kwargs=_pk("activity_photo"), get=expect("staff-only")),
    Route("liaison_cards", query=_centre, get=expect("staff-only")),
    Route("liaison_cards_print", query=_centre, get=post_only(), post=expect("staff-only", 302)),
]

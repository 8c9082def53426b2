"""The services app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Group leaders record requests and add notes; staff, secretaries and admins act on them; a centre's set-up (its own
categories, deadlines, partners) is its secretary's, or an admin's who names the centre as ?centre=CODE.
"""

from laogan.services import actions
from laogan.services.models import Partner
from laogan.services.tests.helpers import make_request
from laogan.tests.matrix import Route, expect, post_only


def build(world):
    world.request = make_request(world.member, by=world.liaison)
    world.category = actions.do_create_category(world.centre_a, code="matrix", name="矩阵类别", order=200,
                                                acting_user=world.secretary)
    world.service_partner = Partner.objects.create(centre=world.centre_a, name="矩阵物业")


def _request(w):
    return {"pk": w.request.pk}


def _centre(w):
    return {"centre": w.centre_a.code}


ROUTES = [
    Route("request_list", get=expect("personal-data", obj=False), htmx=True),
    Route("request_create", query=lambda w: {"member": w.member.pk}, get=expect("personal-data"),
          post=expect("personal-data")),
    Route("request_member_search", query=lambda w: {"q": w.member.name}, get=expect("personal-data", obj=False),
          htmx=True, names_object=False, note="the outsider's answer must not name centre A's member"),
    Route("request_export", get=expect("personal-data", obj=False), writes=True),
    Route("request_figures", get=expect("personal-data", obj=False)),
    Route("request_detail", kwargs=_request, get=expect("personal-data")),
    Route("request_note", kwargs=_request, get=post_only(), post=expect("personal-data", 400)),
    # Without the version it was read at, an action is refused as stale (409): nothing changes.
    Route("request_action", kwargs=lambda w: {"pk": w.request.pk, "action": "start"}, get=post_only(),
          post=expect("staff-only", 409)),
    Route("request_setup", query=_centre, get=expect("managers")),
    Route("request_policy_edit", kwargs=lambda w: {"category_id": w.category.pk}, query=_centre,
          get=expect("managers"), post=expect("managers")),
    # Adding is POST only (a GET is a 404 for those let in); refused empty forms are a 400.
    Route("request_category_create", query=_centre, get=expect("managers", 404), post=expect("managers", 400)),
    Route("request_partner_create", query=_centre, get=expect("managers", 404), post=expect("managers", 400)),
    Route("request_partner_edit", kwargs=lambda w: {"partner_id": w.service_partner.pk}, query=_centre,
          get=expect("managers"), post=expect("managers", 400)),
]

"""The learning app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Everyone with personal data reads 三个一 and records it for the members they see (group leaders too); study
materials are received and handed out by staff, secretaries and admins. The bureau viewer sees figures only, and
staff of centre B get 404 for every record, file and PDF of centre A.
"""

from datetime import timedelta

from django.utils import timezone

from laogan.learning import actions
from laogan.tests.matrix import Route, expect, post_only

from .base import scan


def build(world):
    day = timezone.localdate() - timedelta(days=3)
    world.learning_material = actions.do_receive_material(unit=world.centre_a, title="矩阵学习读本", copies_received=5,
                                                          received_on=day, acting_user=world.secretary)
    actions.do_hand_out(world.learning_material, [world.member], handed_on=day, acting_user=world.liaison)
    actions.do_record_reading(world.member, book_title="矩阵书目", read_on=day, acting_user=world.liaison)
    world.learning_reflection = actions.do_record_reflection(
        world.member, title="矩阵学习体会", text="矩阵心得正文", written_on=day, checked_file=scan(),
        consent_to_publish=True, consent_on=day, acting_user=world.liaison)
    world.learning_deed = actions.do_record_good_deed(world.member, what="矩阵好事", for_whom="矩阵邻居", done_on=day,
                                                      acting_user=world.liaison)
    world.secrets += ["矩阵学习体会", "矩阵心得正文", "矩阵好事", "矩阵书目"]


def _member(w):
    return {"pk": w.member.pk}


def _reflection(w):
    return {"pk": w.learning_reflection.pk}


ROUTES = [
    Route("learning_grid", get=expect("personal-data", obj=False)),
    Route("learning_member", kwargs=_member, get=expect("personal-data")),
    # An empty form comes back with its errors; nothing is written.
    Route("learning_record_reading", kwargs=_member, get=expect("personal-data"), post=expect("personal-data")),
    Route("learning_record_reflection", kwargs=_member, get=expect("personal-data"), post=expect("personal-data")),
    Route("learning_record_deed", kwargs=_member, get=expect("personal-data"), post=expect("personal-data")),
    Route("learning_delete", kwargs=lambda w: {"kind": "deed", "pk": w.learning_deed.pk}, get=post_only(),
          post=expect("personal-data", 302), writes=True),
    Route("learning_reflections", get=expect("personal-data", obj=False)),
    Route("learning_reflection", kwargs=_reflection, get=expect("personal-data")),
    # An empty form withdraws consent: a change empty data makes.
    Route("learning_consent", kwargs=_reflection, get=post_only(), post=expect("personal-data", 302), writes=True),
    Route("learning_reflection_file", kwargs=_reflection, get=expect("personal-data"), writes=True),  # audits the opening
    # The centre's booklet: a group leader sees only the group, so the centre is not theirs to print.
    Route("learning_special_issue", query=lambda w: {"unit": w.centre_a.code, "year": w.learning_reflection.year},
          get=expect("personal-data", group_leader=404), writes=True, note="the download is audited as an export"),
    Route("learning_materials", get=expect("personal-data", obj=False)),
    Route("learning_material_new", get=expect("staff-only", obj=False), post=expect("staff-only", obj=False)),
    Route("learning_material", kwargs=lambda w: {"pk": w.learning_material.pk}, get=expect("personal-data"),
          post=expect("staff-only")),
]

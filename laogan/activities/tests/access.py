"""The activities app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Everyone who sees personal data reads activities, advisory groups and suggestions of their centre (a group leader
too); staff, secretaries and admins record them. Pages about one object look it up first: out of scope it is a 404;
the bureau viewer is refused (403) before any look-up, since they see no page of this app.
"""

from datetime import date, datetime, time

from django.utils import timezone

from laogan.activities.actions import (
    do_add_adviser, do_create_default_groups, do_record_attendance, do_record_suggestion, do_save_activity,
    do_save_series,
)
from laogan.activities.models import Activity, ActivityPhoto, ActivitySeries, Kind, Presence
from laogan.members.tests.access import jpeg
from laogan.tests.matrix import Route, expect, post_only


def build(world):
    world.act_activity = do_save_activity(
        Activity(unit=world.centre_a, kind=Kind.STUDY, title="矩阵学习会", place="中心活动室",
                 starts_at=timezone.make_aware(datetime.combine(date(2026, 3, 1), time(9, 0)))),
        invited=[world.member], acting_user=world.secretary)
    do_record_attendance(world.act_activity, {world.member: Presence.ATTENDED}, acting_user=world.secretary)
    world.act_photo = ActivityPhoto.objects.create(activity=world.act_activity, image=jpeg("act.jpg"))
    world.act_series = do_save_series(ActivitySeries(unit=world.centre_a, title="矩阵形势通报会", starts_on=date(2026, 1, 15)),
                                      acting_user=world.secretary, today=date(2026, 3, 1))
    world.act_group = do_create_default_groups(world.centre_a, acting_user=world.secretary)[0]
    world.act_adviser = do_add_adviser(world.act_group, world.member, expertise="矩阵党史研究", acting_user=world.secretary)
    world.act_suggestion = do_record_suggestion(centre=world.centre_a, member=world.member, field="建设",
                                                text="矩阵建言：加装扶手", received_on=date(2026, 3, 2),
                                                acting_user=world.secretary)
    world.secrets += ["矩阵学习会", "矩阵建言", "矩阵党史研究"]


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _photo(w):
    return {"pk": w.act_activity.pk, "photo_pk": w.act_photo.pk}


def _adviser(w):
    return {"pk": w.act_group.pk, "adviser_pk": w.act_adviser.pk}


READ = expect("personal-data")
READ_LIST = expect("personal-data", obj=False)
WORK = expect("staff-only")
WORK_NEW = expect("staff-only", obj=False)

ROUTES = [
    Route("activity_list", get=READ_LIST),
    Route("activity_new", get=WORK_NEW, post=WORK_NEW),
    Route("activity_detail", kwargs=_pk("act_activity"), get=READ),
    Route("activity_edit", kwargs=_pk("act_activity"), get=WORK, post=WORK),
    # An empty list is refused with a message and a redirect back to the checklist; nothing is written.
    Route("activity_attendance", kwargs=_pk("act_activity"), get=WORK, post=expect("staff-only", 302)),
    # The scanning page answers htmx with its result fragment; an empty code is refused and nothing is written.
    Route("activity_scan", kwargs=_pk("act_activity"), get=WORK, post=WORK, htmx=True),
    Route("activity_photos", kwargs=_pk("act_activity"), get=post_only(), post=expect("staff-only", 302)),
    Route("activity_photo", kwargs=_photo, get=READ),
    Route("activity_series_list", get=READ_LIST),
    Route("activity_series_new", get=WORK_NEW, post=WORK_NEW),
    Route("activity_series_detail", kwargs=_pk("act_series"), get=READ),
    Route("activity_series_edit", kwargs=_pk("act_series"), get=WORK, post=WORK),
    Route("activity_signin_cards", get=WORK_NEW),
    Route("advisory_groups", get=READ_LIST),
    # Creates the five default groups for the user's own centre when it lacks them (centre B does).
    Route("advisory_defaults", get=post_only(), post=expect("staff-only", 302, obj=False), writes=True),
    Route("advisory_group_new", get=WORK_NEW, post=WORK_NEW),
    Route("advisory_group", kwargs=_pk("act_group"), get=READ),
    Route("advisory_group_edit", kwargs=_pk("act_group"), get=WORK, post=WORK),
    Route("advisory_add_adviser", kwargs=_pk("act_group"), get=post_only(), post=expect("staff-only", 302)),
    Route("advisory_remove_adviser", kwargs=_adviser, get=post_only(), post=expect("staff-only", 302), writes=True),
    Route("advisory_add_work", kwargs=_pk("act_group"), get=post_only(), post=expect("staff-only", 302)),
    Route("suggestion_list", get=READ_LIST),
    Route("suggestion_new", get=WORK_NEW, post=WORK_NEW),
    Route("suggestion_yearly", get=READ_LIST),
    Route("suggestion_detail", kwargs=_pk("act_suggestion"), get=READ),
    Route("suggestion_forward", kwargs=_pk("act_suggestion"), get=post_only(), post=expect("staff-only", 302)),
    Route("suggestion_answer", kwargs=_pk("act_suggestion"), get=post_only(), post=expect("staff-only", 302)),
    Route("suggestion_decide", kwargs=_pk("act_suggestion"), get=post_only(), post=expect("staff-only", 302)),
]

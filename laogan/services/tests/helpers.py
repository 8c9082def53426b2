"""Builders for service-request tests: fixed, readable values on the BaseTestCase org tree."""

from datetime import datetime
from zoneinfo import ZoneInfo

from laogan.services import actions
from laogan.services.models import Category

TZ = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=TZ)


def category(code):
    return Category.objects.get(code=code, unit__isnull=True)


def make_request(member, by, code="bulb", opened=None, summary="客厅灯不亮", **kw):
    """Record a request at `opened` (also the time of the recording) for `member`, taken by `by`."""
    return actions.do_create_request(member, category=category(code), summary=summary, acting_user=by,
                                     opened_at=opened, at=opened, **kw)


def step(func, request, by, when, **kw):
    """Apply an action as `by` at `when`, on the version the request has now."""
    return func(request, expected_version=request.version, acting_user=by, at=when, **kw)

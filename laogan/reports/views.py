import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Unit, UnitKind
from laogan.lib import figures
from laogan.lib.figures import Period
from laogan.lib.worklist import panels_for

from . import actions, keyfigures, narrative, rollups, snapshots, summary
from .forms import NarrativeForm
from .scope import may_open_records, period_for, unit_for, year_for


def dashboard(request):
    user = request.user
    if not user.sees_personal_data:
        return redirect("rollup")
    today = localdate()
    period = Period.year_to_date(today)
    unit = user.unit
    as_of, computed = keyfigures.for_unit(unit, period)
    key_rows = [{"figure": f, "value": value, "chart": chart, "url": records_url(f, unit, period),
                 "mine": f.liaison_share(unit, period, user) if user.role == "staff" else None}
                for f, value, chart in computed]
    context = {"unit": unit, "today": today, "panels": panels_for(user, today), "key_rows": key_rows, "period": period,
               "as_of": as_of}
    return render(request, "reports/dashboard.html", context)


def records_url(figure, unit, period):
    return reverse("figure_records", args=[figure.key]) + "?" + urlencode(
        {"unit": unit.code, "from": period.start.isoformat(), "to": period.end.isoformat()})


def figure_records(request, key):
    try:
        figure = figures.get(key)
    except KeyError:
        raise Http404 from None
    unit = unit_for(request)
    if not may_open_records(request.user):
        raise PermissionDenied
    period = period_for(request)
    rows = figure.records(unit, period)
    value = figure.value(unit, period)
    order = [f"-{figure.date_field}", "pk"] if figure.date_field else ["pk"]
    listed = rows.order_by(*order)
    if paths := figure.related_paths():  # select_related() with no paths would follow every foreign key
        listed = listed.select_related(*paths)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    table = [[figures.resolve(c.path, r) for c in figure.columns] for r in page]
    links = [_record_link(r) for r in page]
    context = {"figure": figure, "unit": unit, "period": period, "value": value, "count": rows.count(),
               "page": page, "table": list(zip(links, table)), "columns": figure.columns}
    return render(request, "reports/figure_records.html", context)


def _record_link(record):
    member_id = record.pk if record._meta.model_name == "member" else getattr(record, "member_id", None)
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    return reverse("member_detail", args=[member_id]) if member_id else ""


def annual(request):
    unit = unit_for(request)
    year = year_for(request)
    today = localdate()
    until = today if year == today.year else None
    result = snapshots.fresh(unit, year, until) or summary.build(unit, year, with_monthly=False, until=until)
    for area in result.areas:
        for row in area.rows:
            row.chart = json.dumps({"labels": [str(year - 1), str(year)], "values": [float(row.previous), float(row.value)]})
    context = {
        "summary": result, "unit": unit, "year": year, "can_open": may_open_records(request.user),
        "can_edit": request.user.role in ("admin", "secretary") and request.user.sees_personal_data,
        "years": list(range(today.year, today.year - 6, -1)),
        "units": Unit.objects.visible_to(request.user).exclude(kind=UnitKind.GROUP),
        "records_period": result.period,
    }
    return render(request, "reports/annual.html", context)


def annual_edit(request):
    unit = unit_for(request)
    year = year_for(request)
    if request.user.role not in ("admin", "secretary") or not request.user.sees_personal_data:
        raise PermissionDenied
    current = summary.build(unit, year, with_monthly=False)
    stored = actions.narrative_for(unit, year)
    form = NarrativeForm(request.POST or None, initial={
        "title": stored.title if stored else current.title,
        "body": stored.body if stored else narrative.default_body(year),
        "version": stored.version if stored else 0,
    })
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unknown = narrative.fill(d["body"], current.values())[1]
        if unknown:
            form.add_error("body", _("Unknown figures in the text: %(keys)s") % {"keys": ", ".join("{%s}" % k for k in unknown)})
        else:
            try:
                actions.do_save_narrative(unit, year, title=d["title"], body=d["body"], expected_version=d["version"],
                                          acting_user=request.user, ip=client_ip(request))
            except actions.StaleEdit as e:
                messages.error(request, str(e))
            else:
                messages.success(request, _("The summary text is saved."))
                return redirect(reverse("annual") + "?" + urlencode({"unit": unit.code, "year": year}))
    keys = [(f.key, f.label) for f in figures.all_figures()]
    return render(request, "reports/annual_edit.html", {"form": form, "unit": unit, "year": year, "keys": keys})


def annual_download(request, fmt):
    from .exports import WITH_MONTHS, render_summary

    unit = unit_for(request)
    year = year_for(request)
    if fmt not in ("docx", "xlsx", "pdf", "json"):
        raise Http404
    with_records = fmt == "xlsx" and may_open_records(request.user)
    today = localdate()
    result = summary.build(unit, year, with_monthly=fmt in WITH_MONTHS, until=today if year == today.year else None)
    content, content_type = render_summary(result, fmt, with_records=with_records)
    record_audit(request.user, AuditAction.EXPORT, unit, detail=f"annual report {year} {fmt}", ip=client_ip(request))
    response = HttpResponse(content, content_type=content_type)
    filename = f"{unit.code}-{year}-annual.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def rollup(request):
    """Figures of every centre under a unit, summed and side by side: numbers only, no names."""
    unit = unit_for(request)
    year = year_for(request)
    today = localdate()
    period = Period.year_to_date(today) if year == today.year else Period.year(year)
    centres = list(Unit.objects.subtree(unit).filter(kind=UnitKind.CENTRE).order_by("path"))
    if unit.kind in (UnitKind.CENTRE, UnitKind.BRANCH, UnitKind.GROUP):
        centres = [unit]
    rows = rollups.side_by_side(unit, centres, period)
    context = {"unit": unit, "year": year, "period": period, "centres": centres, "rows": rows,
               "can_open": may_open_records(request.user), "years": list(range(today.year, today.year - 6, -1))}
    return render(request, "reports/rollup.html", context)


def compare(request, key):
    """One figure by month, quarter or year, and the unit against its siblings."""
    try:
        figure = figures.get(key)
    except KeyError:
        raise Http404 from None
    unit = unit_for(request)
    year = year_for(request)
    by = request.GET.get("by", "month")
    if by == "quarter":
        periods = [Period.quarter(year, q) for q in range(1, 5)]
    elif by == "year":
        periods = [Period.year(y) for y in range(year - 4, year + 1)]
    else:
        by = "month"
        periods = [Period.month(year, m) for m in range(1, 13)]
    series = [{"period": p, "value": figure.value(unit, p)} for p in periods]
    siblings = []
    if unit.parent_id:
        year_period = Period.year(year)
        visible = Unit.objects.visible_to(request.user).filter(parent_id=unit.parent_id).order_by("path")
        siblings = [{"unit": u, "value": figure.value(u, year_period)} for u in visible]
    chart = json.dumps({"labels": [p.label for p in periods], "values": [float(s["value"]) for s in series]})
    context = {"figure": figure, "unit": unit, "year": year, "by": by, "series": series, "siblings": siblings,
               "chart": chart, "can_open": may_open_records(request.user)}
    return render(request, "reports/compare.html", context)

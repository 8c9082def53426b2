"""Activities: the year's list, recording and changing one, its page with attendance and photos; recurring series."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.lib.forms import add_errors
from laogan.reports.scope import year_for

from .. import access, actions
from ..forms import ActivityForm, PhotosField, SeriesForm
from ..models import Activity, ActivitySeries, KindGroup, Participation, Presence


def with_counts(activities):
    return activities.annotate(
        attended=Count("participations", filter=Q(participations__presence=Presence.ATTENDED)),
        home=Count("participations", filter=Q(participations__presence=Presence.HOME)))


def activity_list(request):
    access.require_reader(request)
    year, today = year_for(request), timezone.localdate()
    activities = Activity.objects.visible_to(request.user).filter(date__year=year).select_related("unit")
    group = request.GET.get("group", "")
    if group in KindGroup.values:
        activities = activities.filter(kind_group=group)
    page = Paginator(with_counts(activities).order_by("-starts_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {"page": page, "year": year, "group": group, "groups": KindGroup.choices, "today": today,
               "years": list(range(today.year + 1, today.year - 5, -1)), "may_edit": access.is_worker(request.user)}
    return render(request, "activities/list.html", context)


def activity_form(request, pk=None):
    access.require_worker(request)
    if pk is None:
        centre = access.centre_for(request)
        activity, invited = Activity(), None
    else:
        activity = access.get_activity(request, pk)
        centre = activity.centre
        invited = [p.member_id for p in activity.participations.filter(invited=True)]
    members = access.members_for(request, centre)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity, centre=centre, members=members,
                        initial={"invited": invited, "partners": list(activity.partners.all()) if pk else []})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_save_activity(form.save(commit=False), partners=list(d.get("partners", [])), invited=list(d["invited"]),
                                     photos=d["photos"], expected_version=form.expected_version, acting_user=request.user,
                                     ip=client_ip(request))
        except actions.StaleEdit as e:
            messages.error(request, str(e))  # nothing saved; what was typed stays in the form
            status = 409
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activity_detail", form.instance.pk)
    title = _("Change the activity") if pk else _("Record an activity")
    return render(request, "activities/form.html", {"form": form, "title": title, "activity": activity if pk else None},
                  status=status)


def activity_detail(request, pk):
    activity = access.get_activity(request, pk)
    rows = list(Participation.objects.visible_to(request.user).filter(activity=activity).select_related("member__unit")
                .order_by("member__unit__path", "member__name_pinyin"))
    attended = [p for p in rows if p.presence == Presence.ATTENDED]
    home = [p for p in rows if p.presence == Presence.HOME]
    absent = [p for p in rows if p.presence == Presence.INVITED]
    context = {"activity": activity, "attended": attended, "home": home, "absent": absent,
               "counts": actions.attendance_counts(activity), "partners": activity.partners.all(),
               "photos": activity.photos.all(), "may_edit": access.is_worker(request.user),
               "today": timezone.localdate()}
    return render(request, "activities/detail.html", context)


@require_POST
def activity_photos(request, pk):
    access.require_worker(request)
    activity = access.get_activity(request, pk)
    try:
        photos = PhotosField(required=True).clean(request.FILES.getlist("photos"))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        actions.do_add_photos(activity, photos, acting_user=request.user, ip=client_ip(request))
        messages.success(request, _("Photos added."))
    return redirect("activity_detail", activity.pk)


def activity_photo(request, pk, photo_pk):
    activity = access.get_activity(request, pk)
    photo = activity.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


# -- recurring -----------------------------------------------------------------------------------------------------

def series_list(request):
    access.require_reader(request)
    series = ActivitySeries.objects.visible_to(request.user).select_related("unit").order_by("title", "id")
    return render(request, "activities/series_list.html", {"series": series, "may_edit": access.is_worker(request.user)})


def series_form(request, pk=None):
    access.require_worker(request)
    series = access.get_series(request, pk) if pk else ActivitySeries()
    centre = series.centre if pk else access.centre_for(request)
    form = SeriesForm(request.POST or None, instance=series, centre=centre)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_series(form.save(commit=False), expected_version=form.expected_version, acting_user=request.user,
                                   ip=client_ip(request))
        except actions.StaleEdit as e:
            messages.error(request, str(e))
            status = 409
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The recurring activity is saved; its coming dates are on the calendar."))
            return redirect("activity_series_detail", form.instance.pk)
    title = _("Change the recurring activity") if pk else _("New recurring activity")
    return render(request, "activities/form.html", {"form": form, "title": title, "series": series if pk else None},
                  status=status)


def series_detail(request, pk):
    series = access.get_series(request, pk)
    occurrences = with_counts(series.activities.order_by("-starts_at"))
    return render(request, "activities/series_detail.html", {"series": series, "occurrences": occurrences,
                                                             "may_edit": access.is_worker(request.user)})

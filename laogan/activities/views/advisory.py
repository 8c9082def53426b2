"""Advisory groups (顾问团、参谋队): the centre's field groups, their members and expertise, their work records."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.accounts.models import subtree_q

from .. import access, actions
from ..forms import AdviserForm, GroupForm, WorkForm
from ..models import AdvisoryGroup
from laogan.lib.forms import add_errors


def groups(request):
    access.require_reader(request)
    centre = access.centre_for(request)
    rows = (AdvisoryGroup.objects.visible_to(request.user).filter(centre=centre)
            .annotate(n_advisers=Count("advisers", distinct=True), n_work=Count("work", distinct=True),
                      last_work=Max("work__date")).order_by("sort_order", "id"))
    return render(request, "activities/groups.html", {"centre": centre, "groups": rows,
                                                      "may_edit": access.is_worker(request.user)})


@require_POST
def create_defaults(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    made = actions.do_create_default_groups(centre, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("%(n)s advisory groups created.") % {"n": len(made)})
    return redirect("advisory_groups")


def group_form(request, pk=None):
    access.require_worker(request)
    group = access.get_group(request, pk) if pk else AdvisoryGroup(centre=access.centre_for(request))
    form = GroupForm(request.POST or None, instance=group)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_group(form.save(commit=False), expected_version=form.expected_version, acting_user=request.user,
                                  ip=client_ip(request))
        except actions.StaleEdit as e:
            messages.error(request, str(e))
            status = 409
        except ValidationError as e:
            add_errors(form, e)
        else:
            return redirect("advisory_group", form.instance.pk)
    title = _("Change the advisory group") if pk else _("New advisory group")
    return render(request, "activities/form.html", {"form": form, "title": title}, status=status)


def group_detail(request, pk):
    group = access.get_group(request, pk)
    may_edit = access.is_worker(request.user)
    members = access.members_for(request, group.centre)
    context = {
        "group": group, "may_edit": may_edit,
        "advisers": group.advisers.select_related("member__unit").filter(subtree_q(request.user.unit.path, "member__unit_path")),
        "work": group.work.all()[:100],
        "adviser_form": AdviserForm(members=members) if may_edit else None,
        "work_form": WorkForm() if may_edit else None,
    }
    return render(request, "activities/group_detail.html", context)


@require_POST
def add_adviser(request, pk):
    group = access.get_group(request, pk)
    access.require_worker(request)
    form = AdviserForm(request.POST, members=access.members_for(request, group.centre))
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_add_adviser(group, d["member"], expertise=d["expertise"], is_leader=d["is_leader"],
                                   since=d["since"], acting_user=request.user, ip=client_ip(request))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("%(name)s is on the group.") % {"name": d["member"].name})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("advisory_group", group.pk)


@require_POST
def remove_adviser(request, pk, adviser_pk):
    group = access.get_group(request, pk)
    access.require_worker(request)
    adviser = group.advisers.select_related("member").filter(pk=adviser_pk).first()
    if adviser is None:
        raise Http404
    if not request.user.unit.contains(adviser.member.unit_path):
        raise PermissionDenied
    actions.do_remove_adviser(adviser, acting_user=request.user, ip=client_ip(request))
    messages.success(request, _("%(name)s is off the group.") % {"name": adviser.member.name})
    return redirect("advisory_group", group.pk)


@require_POST
def add_work(request, pk):
    group = access.get_group(request, pk)
    access.require_worker(request)
    form = WorkForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_work(group, acting_user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Work recorded."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("advisory_group", group.pk)

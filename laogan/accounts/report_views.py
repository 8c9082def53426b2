"""The personal-data access report for one member (PIPL: who saw or exported my data), as a page and an xlsx."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import access_report
from .actions import client_ip, record_audit
from .models import AuditAction

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _member_for_report(request, pk):
    """Admins and secretaries whose subtree holds the member; anyone else 403, another centre's member 404."""
    from laogan.members.models import Member

    if not request.user.can_read_audit or not request.user.sees_personal_data:
        raise PermissionDenied
    try:
        return Member.objects.visible_to(request.user).select_related("unit").get(pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None


def member_access_report(request, pk):
    member = _member_for_report(request, pk)
    entries = access_report.entries_for_member(member)
    if request.GET.get("format") == "xlsx":
        content = access_report.workbook(entries)
        record_audit(request.user, AuditAction.EXPORT, member, detail="personal-data access report xlsx", ip=client_ip(request))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="access-report-{member.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    if page.number == 1:
        record_audit(request.user, AuditAction.REVEAL, member, detail="personal-data access report", ip=client_ip(request))
    return render(request, "accounts/member_access_report.html", {"member": member, "page": page})

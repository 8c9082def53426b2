"""Who may do what in case work, and the scoped look-ups every view goes through.

A case the user may not see is a 404, whether it belongs to another centre or is a confidential case of their own
centre they were not granted: the answer must be the same, or the difference would tell that the case exists.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from laogan.accounts.actions import client_ip, record_audit
from laogan.accounts.models import AuditAction, Role
from laogan.members.models import Member

from .models import Case, Survivor

WORKERS = (Role.ADMIN, Role.SECRETARY, Role.STAFF)


def is_worker(user):
    """Staff, secretaries and administrators work on cases; group leaders (and grantees among them) read them."""
    return user.sees_personal_data and user.role in WORKERS


def require_access(request):
    if not request.user.sees_personal_data:
        raise PermissionDenied


def require_worker(request):
    if not is_worker(request.user):
        raise PermissionDenied


def get_case_for_user(request, pk):
    require_access(request)
    rows = Case.objects.visible_to(request.user).select_related(
        "member", "member__unit", "member__liaison", "case_type", "owner", "centre", "referral")
    try:
        return rows.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def get_member_for_user(request, pk):
    require_access(request)
    try:
        return Member.objects.visible_to(request.user).select_related("unit", "liaison").get(pk=pk)
    except (Member.DoesNotExist, ValueError):
        raise Http404 from None


def get_survivor_for_user(request, pk):
    require_access(request)
    try:
        return Survivor.objects.visible_to(request.user).select_related("deceased", "deceased__unit").get(pk=pk)
    except Survivor.DoesNotExist:
        raise Http404 from None


def audit_view(request, case, detail):
    """Record that someone saw a confidential case (every view of one is audited)."""
    if case.confidential:
        record_audit(request.user, AuditAction.REVEAL, case, unit_path=case.unit_path, detail=detail,
                     ip=client_ip(request))

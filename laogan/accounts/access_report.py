"""The personal-data access report for one member: who revealed, exported, changed or imported their data.

Two index lookups, then one primary-key fetch, however large the audit log:
  1. entries about the member itself (reveal, change, create…): AuditEntry(object_type, object_id) index;
  2. entries that touched the member among many (an export, an import): AuditSubject(object_type, object_id, entry)
     index, which also covers the entry id, so no table rows are read.
A single query with `… OR id IN (subquery)` would be shorter but planners may turn the OR into a scan of the whole
audit log; two range scans stay proportional to the member's own history.
"""

import io

from django.utils import timezone

from laogan.lib import spreadsheet

from .models import AuditEntry, AuditSubject

MEMBER = "members.member"
HEADER = ["时间", "用户", "操作", "记录", "说明", "IP地址"]
WIDTHS = [20, 14, 14, 24, 50, 16]


def entries_for_member(member):
    """All audit entries that concern `member`, newest first."""
    own = AuditEntry.objects.filter(object_type=MEMBER, object_id=str(member.pk)).values_list("id", flat=True)
    touched = AuditSubject.objects.filter(object_type=MEMBER, object_id=member.pk).values_list("entry_id", flat=True)
    ids = set(own) | set(touched)
    return AuditEntry.objects.filter(id__in=ids).order_by("-at", "-id")


def workbook(entries):
    def rows():
        for e in entries:
            yield [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name or "—", e.get_action_display(),
                   e.object_repr, e.detail, e.ip or ""]

    out = io.BytesIO()
    spreadsheet.write_xlsx(out, HEADER, rows(), title="个人信息访问记录", column_widths=WIDTHS)
    return out.getvalue()

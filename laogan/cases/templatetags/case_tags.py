"""The case-work part of the member page: the member's cases the reader may see, and a deceased member's survivors.

The member page includes cases/_member_card.html, which calls this tag: members knows nothing of case work.
"""

from django import template

from ..access import is_worker
from ..models import Case, Survivor

register = template.Library()


@register.inclusion_tag("cases/_member_cases.html", takes_context=True)
def member_cases(context, member):
    user = context["request"].user
    if not user.sees_personal_data:
        return {"show": False}
    cases = Case.objects.visible_to(user).filter(member=member).select_related("case_type")
    survivors = Survivor.objects.visible_to(user).filter(deceased=member) if member.is_deceased else []
    return {"show": True, "member": member, "cases": cases, "survivors": survivors, "may_open": is_worker(user)}

"""The liaison part of the member page: liaison, last contact, party-group leader and service-card state.

The member page includes liaison/_member_card.html, which calls this tag: members knows nothing of liaison work.
"""

from django import template
from django.utils import timezone

from laogan.members.models import Status

from .. import access, cards, roster
from ..models import LiaisonPolicy

register = template.Library()


@register.inclusion_tag("liaison/_member_panel.html", takes_context=True)
def liaison_panel(context, member):
    user = context["request"].user
    if not user.sees_personal_data:
        return {"show": False}
    now = timezone.now()
    policy = LiaisonPolicy.for_centre(member.centre)
    # The card state loads the liaison (with their unit) and the group leader too; the dead have no card.
    states = cards.card_states(type(member).objects.filter(pk=member.pk))
    state = states[0] if states else None
    living = member.status != Status.DECEASED
    if state:
        liaison, leader = state.member.liaison, state.leader
    else:
        liaison, leader = member.liaison, cards.group_leaders([member.unit_id]).get(member.unit_id)
    return {
        "show": True, "member": member, "request": context["request"], "csrf_token": context.get("csrf_token"),
        "liaison": liaison, "liaison_ok": roster.is_eligible(liaison, member.centre) if liaison else False,
        "leader": leader,
        "days": roster.days_since_contact(member, now), "interval": roster.contact_interval(member, policy),
        "overdue": roster.is_overdue(member, policy, now),
        "card": state, "living": living,
        "can_contact": living and user.role in access.CONTACTERS,
        "can_print": living and access.is_worker(user),
        "staff_choices": list(roster.eligible_liaisons(member.centre)) if living and access.is_manager(user) else [],
    }

"""The learning part of the member page: this year's 三个一 at a glance. The member page includes
learning/_member_card.html, which calls this tag: members knows nothing of learning."""

from django import template
from django.utils import timezone

from ..models import BookReading, GoodDeed, Reflection, may_see

register = template.Library()


@register.inclusion_tag("learning/_member_learning.html", takes_context=True)
def member_learning(context, member):
    user = context["request"].user
    if not may_see(user):
        return {"show": False}
    year = timezone.localdate().year
    return {"show": True, "member": member, "year": year,
            "read": BookReading.objects.filter(member=member, year=year).exists(),
            "wrote": Reflection.objects.filter(member=member, year=year).exists(),
            "deed": GoodDeed.objects.filter(member=member, year=year).exists()}

"""亲情服务卡: cards to reprint, cards never printed, and printing (a POST: it records what each card says)."""

import io

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laogan.accounts.actions import client_ip
from laogan.members.models import Member

from .. import access, actions, cards, roster
from ..forms import CardPrintForm
from ..models import CardBatch

LIST_LIMIT = 300
# WeasyPrint lays out about ten cards a second: past this a web request would time out.
MAX_CARDS_PER_REQUEST = 500


def cards_page(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    states = cards.card_states(Member.objects.visible_to(request.user).filter(centre=centre).order_by("unit__path", "name_pinyin"))
    stale = [s for s in states if s.stale]
    never = [s for s in states if s.never_printed]
    context = {
        "centre": centre, "centres": list(roster.centres_for(request.user)), "form": CardPrintForm(centre=centre),
        "stale": stale[:LIST_LIMIT], "stale_count": len(stale), "never": never[:LIST_LIMIT], "never_count": len(never),
        "total": len(states), "current": len(states) - len(stale) - len(never),
        "batches": CardBatch.objects.visible_to(request.user).filter(centre=centre).select_related("printed_by")[:10],
    }
    return render(request, "liaison/cards.html", context)


@require_POST
def cards_print(request):
    access.require_worker(request)
    centre = access.centre_for(request)
    form = CardPrintForm(request.POST, centre=centre)
    if not form.is_valid():
        messages.error(request, _("Choose what to print."))
        return redirect(reverse("liaison_cards") + f"?centre={centre.code}")
    unit, stale_only = form.cleaned_data["unit"], form.cleaned_data["stale_only"]
    members = Member.objects.visible_to(request.user).in_unit(unit)
    if not stale_only and members.filter(roster.LIVING).count() > MAX_CARDS_PER_REQUEST:
        messages.error(request, _("That is more than %(n)s cards: print them party group by party group, or with "
                                  "the print_cards command.") % {"n": MAX_CARDS_PER_REQUEST})
        return redirect(reverse("liaison_cards") + f"?centre={centre.code}")
    label = unit.name + ("（需重印）" if stale_only else "")
    return _print(request, members, centre=centre, unit=unit, label=label, stale_only=stale_only,
                  filename=f"cards-{unit.code}-{timezone.localdate():%Y%m%d}.pdf",
                  back=reverse("liaison_cards") + f"?centre={centre.code}")


@require_POST
def card_member(request, pk):
    access.require_worker(request)
    member = access.get_member_for_user(request, pk)
    members = Member.objects.filter(pk=member.pk)
    return _print(request, members, centre=member.centre, unit=member.unit, label=member.name, stale_only=False,
                  filename=f"card-{member.pk}-{timezone.localdate():%Y%m%d}.pdf",
                  back=reverse("member_detail", args=[member.pk]))


def _print(request, members, *, centre, unit, label, stale_only, filename, back):
    pdf, batch = actions.do_print_cards(members, centre=centre, unit=unit, label=label, stale_only=stale_only,
                                        acting_user=request.user, ip=client_ip(request))
    if batch is None:
        messages.info(request, _("There were no cards to print."))
        return redirect(back)
    return FileResponse(io.BytesIO(pdf), as_attachment=True, filename=filename, content_type="application/pdf")

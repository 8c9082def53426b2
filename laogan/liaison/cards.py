"""The 亲情服务卡: what a member's card says today, whether the card they hold still says it, and the printed sheet.

What a card says is a small dict of strings (CARD_FIELDS). The print record keeps that dict as printed; a card is
stale when today's dict differs. Both sides are computed for a whole set of members in three queries, whatever
its size (members with their unit, centre and liaison; the party-group leaders; the current print records).
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from laogan.accounts.models import Role, User

from . import roster
from .models import CardPrint

CARD_FIELDS = {
    "centre": _("centre"),
    "name": _("member"),
    "group": _("party group"),
    "leader_name": _("group leader"),
    "leader_mobile": _("group leader's mobile"),
    "leader_work_phone": _("group leader's work phone"),
    "liaison_name": _("liaison"),
    "liaison_mobile": _("liaison's mobile"),
    "hotline": _("service hotline"),
}
PER_SHEET = 10

# WeasyPrint logs every layout step at INFO, which the root logger would print for every sheet.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass
class CardState:
    member: object
    fields: dict  # what the card would say if printed now
    printed: CardPrint | None  # the member's current print record
    leader: object = None  # the member's party-group leader, if any

    @property
    def never_printed(self):
        return self.printed is None

    @property
    def changed(self):
        """Return the labels of the printed details that have changed since the card was printed."""
        if self.printed is None:
            return []
        return [label for key, label in CARD_FIELDS.items() if self.printed.fields.get(key, "") != self.fields.get(key, "")]

    @property
    def stale(self):
        return self.printed is not None and bool(self.changed)


def group_leaders(unit_ids):
    """Return {unit id: the active group leader attached to that unit} (the earliest one if there are several)."""
    leaders = {}
    for user in User.objects.filter(unit_id__in=set(unit_ids), role=Role.GROUP_LEADER, is_active=True).order_by("id"):
        leaders.setdefault(user.unit_id, user)
    return leaders


def fields_for(member, leader):
    """Return what the member's card says, given the member (with unit, centre, liaison loaded) and their leader."""
    liaison = member.liaison if roster.is_eligible(member.liaison, member.centre) else None
    return {
        "centre": member.centre.name,
        "name": member.name,
        "group": member.unit.name,
        "leader_name": leader.display_name if leader else "",
        "leader_mobile": leader.mobile if leader else "",
        "leader_work_phone": leader.work_phone if leader else "",
        "liaison_name": liaison.display_name if liaison else "",
        "liaison_mobile": liaison.mobile if liaison else "",
        "hotline": member.unit.hotline or member.centre.hotline or settings.LAOGAN_SERVICE_HOTLINE,
    }


def card_states(members):
    """Return a CardState for each living member of the queryset `members`, in its order."""
    members = list(members.filter(roster.LIVING).select_related("unit", "centre", "liaison__unit"))
    leaders = group_leaders(m.unit_id for m in members)
    printed = {p.member_id: p for p in CardPrint.objects.filter(member__in=[m.pk for m in members], is_current=True)} if members else {}
    return [CardState(m, fields_for(m, leaders.get(m.unit_id)), printed.get(m.pk), leaders.get(m.unit_id)) for m in members]


# -- the printed sheet ---------------------------------------------------------------------------------------------

def display_phone(number):
    """Return a number grouped for reading aloud: 139 7710 1001, 0771-3125000."""
    digits = re.sub(r"\D", "", number or "")
    if re.fullmatch(r"1\d{10}", digits):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    match = re.fullmatch(r"(0(?:10|2\d|[3-9]\d\d))(\d{7,8})", digits)
    if match:
        return f"{match[1]}-{match[2]}"
    return number or ""


def vcard(fields):
    """Return a vCard 3.0 that saves the card's numbers as one contact, each number labelled with whose it is."""
    def esc(text):
        return re.sub(r"([,;\\])", r"\\\1", text)

    numbers = []
    if fields["leader_mobile"]:
        numbers.append(("CELL", fields["leader_mobile"], f"党小组长{fields['leader_name']}手机"))
    if fields["leader_work_phone"]:
        numbers.append(("WORK", fields["leader_work_phone"], f"党小组长{fields['leader_name']}办公"))
    if fields["liaison_mobile"]:
        numbers.append(("CELL", fields["liaison_mobile"], f"联络员{fields['liaison_name']}"))
    if fields["hotline"]:
        numbers.append(("WORK", fields["hotline"], "服务热线"))
    lines = ["BEGIN:VCARD", "VERSION:3.0", "FN:亲情服务卡", "N:;亲情服务卡;;;", f"ORG:{esc(fields['centre'])}"]
    for n, (kind, number, label) in enumerate(numbers, 1):
        lines.append(f"item{n}.TEL;TYPE={kind}:{re.sub(r'[^0-9+]', '', number)}")
        lines.append(f"item{n}.X-ABLabel:{esc(label)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def qr_data_uri(fields):
    return _qr_png(vcard(fields))


@lru_cache(maxsize=1024)
def _qr_png(text):
    # The members of one party group with one liaison share a QR code, so each is made once: choosing the mask
    # costs a quarter of a second. Level L keeps the symbol small enough for 0.3 mm modules on a 23.5 mm square;
    # cards are laminated or kept in a wallet, not left in the rain. A PNG with one pixel block per module, drawn
    # without smoothing (image-rendering: pixelated), prints as sharp as vectors and lays out far faster.
    return segno.make(text, error="l", micro=False).png_data_uri(scale=4, border=0)


def card_context(fields):
    return {
        **fields,
        "leader_mobile_text": display_phone(fields["leader_mobile"]),
        "leader_work_phone_text": display_phone(fields["leader_work_phone"]),
        "liaison_mobile_text": display_phone(fields["liaison_mobile"]),
        "hotline_text": display_phone(fields["hotline"]),
        "qr": qr_data_uri(fields),
    }


def sheets(cards):
    """Return the cards in sheets of ten, each card with its row and column on the sheet."""
    out = []
    for start in range(0, len(cards), PER_SHEET):
        out.append([{"row": i // 2, "col": i % 2, **card} for i, card in enumerate(cards[start:start + PER_SHEET])])
    return out


def render_pdf(field_list, *, title):
    """Return the PDF bytes of cards (ten to an A4 sheet) for the given card fields, in order."""
    from weasyprint import HTML

    html = render_to_string("liaison/card_sheet.html", {"sheets": sheets([card_context(f) for f in field_list]), "title": title})
    return HTML(string=html, base_url=None).write_pdf()

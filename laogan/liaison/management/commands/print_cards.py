"""print_cards --org CODE OUT.pdf [--stale-only]: the 亲情服务卡 of a centre, branch or party group as one PDF."""

from math import ceil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from laogan.accounts.models import Unit
from laogan.members.models import Member

from ... import actions, cards


class Command(BaseCommand):
    help = "Print the service cards (亲情服务卡) of a centre, branch or party group: A4 sheets of ten, with cut marks."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="CODE", help="Code of the centre, branch or party group.")
        parser.add_argument("out", metavar="OUT.pdf", help="Where to write the PDF.")
        parser.add_argument("--stale-only", action="store_true",
                            help="Only the cards whose printed details have changed (the reprint list).")

    def handle(self, *args, org, out, stale_only, **options):
        unit = Unit.objects.filter(code=org).first()
        if unit is None:
            raise CommandError(f"No unit has the code {org!r}.")
        if unit.centre_id is None:
            raise CommandError(f"{unit.name} is not a centre, branch or party group: cards are printed per centre.")
        target = Path(out)
        if not target.parent.exists():
            raise CommandError(f"The folder {target.parent} does not exist.")
        label = unit.name + ("（需重印）" if stale_only else "")
        pdf, batch = actions.do_print_cards(Member.objects.in_unit(unit), centre=unit.centre, unit=unit, label=label,
                                            stale_only=stale_only, acting_user=None)
        if batch is None:
            self.stdout.write("No cards to print" + (" (none has changed since it was printed)." if stale_only else "."))
            return
        target.write_bytes(pdf)
        sheets = ceil(batch.count / cards.PER_SHEET)
        self.stdout.write(f"{batch.count} cards on {sheets} A4 sheets written to {target}")

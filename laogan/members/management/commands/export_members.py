"""Export a unit's members: python manage.py export_members --org CODE --format xlsx|csv OUT.

Full data (ID numbers unmasked, deceased members included) for administrators; every export is audited. The
file imports back with import_members as "unchanged".
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from laogan.accounts.models import Unit
from laogan.members.actions import do_export_roster
from laogan.members.models import Member, MemberPhone


class Command(BaseCommand):
    help = "Export the members of a unit's subtree as a roster the importer reads back."

    def add_arguments(self, parser):
        parser.add_argument("out", help="File to write.")
        parser.add_argument("--org", required=True, help="Code of the unit whose subtree is exported.")
        parser.add_argument("--format", dest="fmt", choices=["xlsx", "csv"], required=True)

    def handle(self, *args, out, org, fmt, **options):
        try:
            unit = Unit.objects.get(code=org)
        except Unit.DoesNotExist:
            raise CommandError(f"no unit has the code {org!r}") from None
        members = (
            Member.objects.in_unit(unit).select_related("unit")
            .prefetch_related(Prefetch("phones", queryset=MemberPhone.objects.order_by("order", "id")))
            .order_by("unit_path", "name_pinyin", "id")
            .iterator(chunk_size=2000)
        )
        try:
            with open(out, "wb") as f:
                count = do_export_roster(members, f, fmt=fmt, unit=unit, acting_user=None, detail=f"command line → {out}")
        except OSError as e:
            raise CommandError(f"cannot write {out}: {e.strerror or e}") from None
        self.stdout.write(f"exported {count} members of {unit.code} to {out}")

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from laogan.accounts.models import Unit
from laogan.services.models import Category, Policy
from laogan.lib import sla

FORMAT = "%Y-%m-%d %H:%M:%S"


class Command(BaseCommand):
    help = ("Print the deadlines of a request of a category opened at a moment in a centre, as "
            "'respond_by=YYYY-MM-DD HH:MM:SS resolve_by=YYYY-MM-DD HH:MM:SS' (Asia/Shanghai).")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Code of the centre (or of a unit inside it).")
        parser.add_argument("--category", required=True, help="Category code, e.g. water, electricity, bulb.")
        parser.add_argument("--at", required=True, help='When the request is opened: "YYYY-MM-DD HH:MM" (Asia/Shanghai).')

    def handle(self, *args, org, category, at, **options):
        try:
            unit = Unit.objects.get(code=org)
        except Unit.DoesNotExist:
            raise CommandError(f"no unit with code {org!r}") from None
        try:
            opened = timezone.make_aware(datetime.strptime(at.strip(), "%Y-%m-%d %H:%M"), sla.SHANGHAI)
        except ValueError:
            raise CommandError(f'--at must be "YYYY-MM-DD HH:MM", not {at!r}') from None
        own = Q(unit_id=unit.centre_id) if unit.centre_id else Q(pk__in=[])
        found = Category.objects.filter(Q(unit__isnull=True) | own, code=category).first()
        if found is None:
            raise CommandError(f"no category {category!r} for {org!r}")
        policy = Policy.effective(unit.centre_id, found)
        calendar = policy.calendar()
        respond = sla.deadline(opened, policy.respond_target(), calendar).due
        resolve = sla.deadline(opened, policy.resolve_target(), calendar).due
        self.stdout.write(f"respond_by={respond.astimezone(sla.SHANGHAI):{FORMAT}} "
                          f"resolve_by={resolve.astimezone(sla.SHANGHAI):{FORMAT}}")

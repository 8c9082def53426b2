"""Build a synthetic province: python manage.py seed_scale --members N [--centres K] [--years Y] [--seed S].

Refuses a database that already holds members unless --force (the build turns off SQLite's fsync while it runs, and
nobody wants a million made-up members among real ones by a slip of the terminal). The same seed builds the same
people; a second build with the same seed is refused, another seed adds a second province beside the first.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from laogan.members.models import Member
from laogan.scale import builder


class Command(BaseCommand):
    help = "Build synthetic units, staff, members, visits, requests and cases at scale (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="How many members (e.g. 1000000).")
        parser.add_argument("--centres", type=int, default=None, help="How many centres (default: one per 2,000 members).")
        parser.add_argument("--years", type=float, default=2, help="Years of visits and requests before today (default 2).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1): the same seed builds the same data.")
        parser.add_argument("--visits-per-year", type=float, default=5.0, help="Visit records per member per year (default 5).")
        parser.add_argument("--requests-per-year", type=float, default=0.6, help="Service requests per member per year (default 0.6).")
        parser.add_argument("--staff-password", default="", help="One password for every generated staff login (hashed once); "
                            "by default they cannot log in.")
        parser.add_argument("--force", action="store_true", help="Build even though the database already holds members.")

    def handle(self, *args, members, centres, years, seed, visits_per_year, requests_per_year, staff_password, force, **options):
        if members < 1:
            raise CommandError("--members must be at least 1")
        if years < 0:
            raise CommandError("--years must not be negative")
        centres = centres or max(1, round(members / 2000))
        if centres < 1 or centres > members:
            raise CommandError("--centres must be between 1 and the number of members")
        if not force and Member.objects.exists():
            raise CommandError("the database already holds members: seed_scale builds into an empty archive "
                               "(use --force to add a synthetic province beside them)")
        started = time.monotonic()
        verbose = options["verbosity"] >= 1

        def progress(text):
            if verbose:
                self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {text}")

        try:
            built = builder.build(members=members, centres=centres, years=years, seed=seed, visits_per_year=visits_per_year,
                                  requests_per_year=requests_per_year, staff_password=staff_password or None, progress=progress)
        except ValueError as e:
            raise CommandError(str(e)) from None
        counts = ", ".join(f"{k} {v}" for k, v in built.counts.items())
        self.stdout.write(f"built under unit {built.bureau.code} in {time.monotonic() - started:.1f} s: {counts}")

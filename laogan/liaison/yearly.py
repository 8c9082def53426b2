"""多联一 year by year: each partner's commitments in force in a year, what fulfilled them, and what is still open."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Commitment, JointActivity, PartnerUnit


@dataclass
class CommitmentRow:
    commitment: Commitment
    activities: list
    state: str  # "done", "open", "late"


@dataclass
class PartnerYear:
    partner: PartnerUnit
    rows: list = field(default_factory=list)
    extra: list = field(default_factory=list)  # activities that fulfil no commitment

    @property
    def planned(self):
        return len(self.rows)

    @property
    def done(self):
        return sum(1 for r in self.rows if r.state == "done")


def commitment_state(commitment, activities, year, today):
    """Return "done", "late" (its month, or the year, is over) or "open"."""
    if activities:
        return "done"
    if year < today.year or (year == today.year and commitment.due_month and today.month > commitment.due_month):
        return "late"
    return "open"


def partner_year(partners_qs, year, today):
    """Return a PartnerYear for each partner: the commitments in force in `year` and what fulfilled them (3 queries)."""
    partners = partners_qs.prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.in_force(year), to_attr="year_commitments"),
        Prefetch("activities", queryset=JointActivity.objects.filter(date__year=year).order_by("date", "id"),
                 to_attr="year_activities"),
    )
    out = []
    for partner in partners:
        entry = PartnerYear(partner)
        for c in partner.year_commitments:
            done = [a for a in partner.year_activities if a.commitment_id == c.pk]
            entry.rows.append(CommitmentRow(c, done, commitment_state(c, done, year, today)))
        in_force = {c.pk for c in partner.year_commitments}
        entry.extra = [a for a in partner.year_activities if a.commitment_id not in in_force]
        out.append(entry)
    return out

"""What a life event sets going for case work. Registered from CasesConfig.ready(); each runs inside the transaction
that records the event, so the event and its case are stored together or not at all."""

from laogan.members import events
from laogan.members.models import EventKind

from . import actions
from .models import Case, CaseType, Kind, NoteKind, Status


@events.on(EventKind.DIED)
def open_after_death_case(event, *, acting_user):
    # Opened once: members refuses a second death, and open_after_death_case returns an existing case unchanged.
    actions.open_after_death_case(event.member, died_on=event.date, acting_user=acting_user, notify=True)
    actions.close_cases_of_the_deceased(event.member, died_on=event.date, acting_user=acting_user)


@events.on(EventKind.HARDSHIP_REPORTED)
def open_hardship_case(event, *, acting_user):
    """Open a hardship case, or add the report to the member's open one (one hardship is worked on at a time)."""
    case_type = CaseType.objects.filter(code=Kind.HARDSHIP, active=True).first()
    if case_type is None:
        return
    summary = (event.notes or "").strip()[:200] or "家庭困难"
    current = Case.objects.filter(member=event.member, case_type=case_type, status=Status.OPEN).first()
    if current is not None:
        actions.do_add_note(current, kind=NoteKind.NOTE, text=f"又报告困难：{summary}", happened_on=event.date,
                            acting_user=acting_user)
        return
    actions.do_open_case(event.member, case_type=case_type, acting_user=acting_user, summary=summary,
                         opened_on=event.date, notify=True)


@events.on(EventKind.HARDSHIP_RESOLVED)
def close_hardship_case(event, *, acting_user):
    actions.close_resolved_hardship(event.member, resolved_on=event.date, acting_user=acting_user)

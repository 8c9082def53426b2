"""Every change the liaison app makes goes through these functions: views, commands and the demo alike."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laogan.accounts.actions import record_audit
from laogan.accounts.models import AuditAction, Role, User, subtree_q
from laogan.jobs.messaging import queue_message
from laogan.lib.locking import StaleEdit, claim, stale_message
from laogan.members.actions import note_contact
from laogan.members.models import Member

from . import assignment, cards, roster
from .models import ActivityPhoto, CardBatch, CardPrint, ContactLog, LiaisonPolicy


def _name(user):
    return user.display_name if user is not None else None


def _save_audited(obj, *, fields, acting_user, ip, audit_fields=None, expected_version=None):
    """Validate and save `obj` (new or changed) and audit it; `fields` are the form's fields.

    A change needs `expected_version`, the version its edit form was read at: if someone saved the row since,
    StaleEdit is raised before anything is written (call this inside the action's transaction)."""
    created = obj.pk is None
    before = {}
    if not created:
        model = type(obj)
        try:
            obj.version = claim(model, obj.pk, expected_version)
        except StaleEdit:
            stored = model.objects.filter(pk=obj.pk).first()  # named as the others now see it
            raise StaleEdit(stale_message(getattr(stored, "name", None) or getattr(stored, "title", None))) from None
        old = model.objects.get(pk=obj.pk)
        before = {f: _plain(getattr(old, f)) for f in fields}
    obj.full_clean()
    if created:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version"])
    after = {f: _plain(getattr(obj, f)) for f in (audit_fields or fields)}
    changes = after if created else {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if created or changes:
        record_audit(acting_user, AuditAction.CREATE if created else AuditAction.UPDATE, obj,
                     unit_path=_centre(obj).path, changes=changes, ip=ip)
    return obj


def _centre(obj):
    """Return the centre a policy, pairing, partner, commitment or activity belongs to."""
    if getattr(obj, "centre_id", None):
        return obj.centre
    partner = obj.partner if hasattr(obj, "partner_id") else obj
    return partner.centre


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# -- roster --------------------------------------------------------------------------------------------------------

POLICY_FIELDS = ["min_caseload", "max_caseload", "contact_days", "priority_contact_days"]


def do_save_policy(policy, *, expected_version, acting_user, ip=None):
    """Record a centre's caseload bounds and contact intervals.

    `expected_version` is the version the form was read at. The unsaved defaults are version 1: the first save
    stores them and then claims 1 → 2 like any change, so of two people saving over the defaults the second is
    refused (StaleEdit) and nothing of theirs is written."""
    with transaction.atomic():
        if policy.pk is None:
            stored, _created = LiaisonPolicy.objects.get_or_create(centre=policy.centre)
            policy.pk, policy._state.adding = stored.pk, False
        return _save_audited(policy, fields=POLICY_FIELDS, acting_user=acting_user, ip=ip,
                             expected_version=expected_version)


def do_assign_liaison(member, liaison, *, acting_user, ip=None, detail="assigned by hand"):
    """Make `liaison` (an eligible staff user of the member's centre) the member's liaison."""
    if not roster.is_eligible(liaison, member.centre):
        raise ValidationError(_("%(name)s is not a working staff member of this centre.") % {"name": liaison})
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",)).select_related("liaison").get(pk=member.pk)
        if locked.liaison_id == liaison.pk:
            return False
        old = locked.liaison
        Member.objects.filter(pk=member.pk).update(liaison=liaison)
        record_audit(acting_user, AuditAction.UPDATE, locked, changes={"liaison": [_name(old), _name(liaison)]},
                     detail=detail, ip=ip)
    member.liaison = liaison
    return True


def do_apply_proposal(centre, token, *, acting_user, ip=None):
    """Apply a signed balancing proposal in one transaction; return the number of members whose liaison changed.

    Refused whole (StaleProposal) when any member's liaison is no longer the one the proposal started from, or a
    new liaison may no longer be one: the secretary approved that picture, not another.
    """
    changes, mode = assignment.read(token, centre)
    if not changes:
        return 0
    with transaction.atomic():
        ids = [member_id for member_id, _old, _new in changes]
        members = {m.pk: m for m in Member.objects.select_for_update(of=("self",)).filter(pk__in=ids, centre=centre)
                   .filter(roster.LIVING).select_related("liaison")}
        eligible = {u.pk: u for u in roster.eligible_liaisons(centre)}
        for member_id, old, new in changes:
            member = members.get(member_id)
            if member is None or member.liaison_id != old or new not in eligible:
                raise assignment.StaleProposal("roster changed")
        by_new = {}
        for member_id, _old, new in changes:
            by_new.setdefault(new, []).append(member_id)
        for new, member_ids in by_new.items():
            Member.objects.filter(pk__in=member_ids).update(liaison_id=new)
        for member_id, _old, new in changes:
            member = members[member_id]
            record_audit(acting_user, AuditAction.UPDATE, member, ip=ip, detail=f"liaison balancing ({mode})",
                         changes={"liaison": [_name(member.liaison), _name(eligible[new])]})
    return len(changes)


def do_log_contact(member, *, kind, at, acting_user, notes="", ip=None):
    """Record a contact with a member and move the member's last contact date forward."""
    if at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"at": _("The contact cannot be in the future.")})
    with transaction.atomic():
        log = ContactLog(member=member, by=acting_user, at=at, kind=kind, notes=notes)
        log.save()
        note_contact([member.pk], at)
        record_audit(acting_user, AuditAction.CREATE, member, object_type="liaison.contactlog", ip=ip,
                     changes={"contact": kind, "at": timezone.localtime(at).isoformat(timespec="minutes")})
    return log


def do_notify_orphaned_members(now):
    """Tell each secretary of a centre, once, which members lost their liaison (disabled, moved, other role).

    One message per former liaison and set of members: it is sent again only when the set changes, e.g. when
    some were reassigned and others still wait.
    """
    orphans = (Member.objects.filter(roster.orphaned_q()).select_related("liaison", "centre")
               .order_by("centre_id", "liaison_id", "id"))
    groups = {}
    for member in orphans:
        groups.setdefault((member.centre, member.liaison), []).append(member)
    sent = 0
    for (centre, liaison), members in groups.items():
        digest = hashlib.sha256(",".join(str(m.pk) for m in members).encode()).hexdigest()[:16]
        names = "、".join(m.name for m in members[:20]) + ("等" if len(members) > 20 else "")
        body = (f"{centre.name}：联络员{liaison.display_name}已停用、调离或不再担任联络员，"
                f"其联系的{len(members)}位老干部需要重新安排联络员：{names}。")
        secretaries = User.objects.filter(subtree_q(centre.path, "unit__path"), role=Role.SECRETARY, is_active=True)
        for secretary in secretaries:
            _message, created = queue_message(
                dedupe_key=f"liaison-orphans:{centre.pk}:{liaison.pk}:{digest}:{secretary.pk}",
                recipient=secretary, subject="老干部需要重新安排联络员", body=body, unit_path=centre.path)
            sent += created
    return sent


# -- 一联一 and 多联一 ------------------------------------------------------------------------------------------------

PAIRING_FIELDS = ["first_name", "first_unit", "first_side", "second_name", "second_unit", "second_side",
                  "purpose", "started_on", "ended_on", "notes"]
PARTNER_FIELDS = ["name", "contact_person", "contact_post", "work_phone", "mobile", "address", "notes", "sort_order"]
COMMITMENT_FIELDS = ["title", "detail", "due_month", "first_year", "last_year", "sort_order"]
ACTIVITY_FIELDS = ["commitment", "title", "date", "place", "attendance", "notes"]


# Each of these creates a new row, or changes one: a change needs `expected_version`, the version its edit form was
# read at, and is refused with StaleEdit (nothing written) when someone saved the row since.

def do_save_pairing(pairing, *, acting_user, expected_version=None, ip=None):
    with transaction.atomic():
        return _save_audited(pairing, fields=PAIRING_FIELDS, acting_user=acting_user, ip=ip,
                             expected_version=expected_version)


def do_save_partner(partner, *, acting_user, expected_version=None, ip=None):
    with transaction.atomic():
        return _save_audited(partner, fields=PARTNER_FIELDS, acting_user=acting_user, ip=ip,
                             expected_version=expected_version)


def do_save_commitment(commitment, *, acting_user, expected_version=None, ip=None):
    with transaction.atomic():
        _save_audited(commitment, fields=COMMITMENT_FIELDS, acting_user=acting_user, ip=ip,
                      expected_version=expected_version)
    return commitment


def do_record_joint_activity(activity, *, photos=(), acting_user, expected_version=None, ip=None):
    """Record (or correct) a joint activity with a partner unit, with photos already cleaned by clean_photo()."""
    with transaction.atomic():
        if activity.pk is None:
            activity.recorded_by = acting_user
        _save_audited(activity, fields=ACTIVITY_FIELDS, acting_user=acting_user, ip=ip,
                      expected_version=expected_version)
        do_add_activity_photos(activity, photos, acting_user=acting_user, ip=ip)
    return activity


def do_add_activity_photos(activity, photos, *, acting_user, ip=None):
    with transaction.atomic():
        for photo in photos:
            item = ActivityPhoto(activity=activity)
            item.image.save(photo.name, photo, save=False)
            item.save()
        if photos and acting_user is not None:
            record_audit(acting_user, AuditAction.UPDATE, activity, unit_path=_centre(activity).path,
                         changes={"photos added": len(photos)}, ip=ip)


# -- 亲情服务卡 ---------------------------------------------------------------------------------------------------

def do_print_cards(members, *, centre, unit, label, acting_user, stale_only=False, ip=None):
    """Return (PDF bytes, CardBatch) for the living members of the queryset, recording what each card says;
    (None, None) when there is no card to print.

    With `stale_only`, only cards whose printed details have changed are printed. The PDF is made before anything
    is recorded, so a failed print leaves the record as it was.
    """
    states = cards.card_states(members)
    if stale_only:
        states = [s for s in states if s.stale]
    if not states:
        return None, None
    states.sort(key=lambda s: (s.member.unit.path, s.member.name_pinyin, s.member.pk))
    title = f"{centre.name}亲情服务卡" + ("" if label == centre.name else f"（{label}）")
    pdf = cards.render_pdf([s.fields for s in states], title=title)
    now = timezone.now()
    with transaction.atomic():
        batch = CardBatch.objects.create(centre=centre, unit=unit, label=label[:100], stale_only=stale_only,
                                         count=len(states), printed_at=now, printed_by=acting_user)
        ids = [s.member.pk for s in states]
        CardPrint.objects.filter(member_id__in=ids, is_current=True).update(is_current=False)
        CardPrint.objects.bulk_create(
            [CardPrint(batch=batch, member=s.member, fields=s.fields, printed_at=now, printed_on=timezone.localtime(now).date())
             for s in states], batch_size=500)
        record_audit(acting_user, AuditAction.EXPORT, unit, ip=ip, object_type="liaison.cardbatch", subjects=ids,
                     detail=f"亲情服务卡 {label}", changes={"cards": len(states), "stale_only": stale_only})
    return pdf, batch

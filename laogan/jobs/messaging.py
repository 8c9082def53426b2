"""Queue messages once, deliver them from the worker."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from laogan.lib import messaging

from .models import Channel, Message
from .registry import periodic

MAX_ATTEMPTS = 5


def queue_message(*, dedupe_key, body, recipient=None, to_address="", channel=Channel.SMS, subject="", unit_path=""):
    """Queue a message unless one with the same dedupe_key exists; return (message, created)."""
    if recipient is not None and not to_address and channel == Channel.SMS:
        to_address = recipient.mobile
    if not unit_path and recipient is not None and recipient.unit_id:
        unit_path = recipient.unit.path
    try:
        with transaction.atomic():
            message = Message.objects.create(
                dedupe_key=dedupe_key, recipient=recipient, to_address=to_address, channel=channel,
                subject=subject, body=body, unit_path=unit_path,
            )
    except IntegrityError:
        return Message.objects.get(dedupe_key=dedupe_key), False
    return message, True


@periodic("deliver_messages", every=timezone.timedelta(seconds=30), atomic=False)
def deliver_messages(now=None, limit=200):
    """Send pending messages; each is claimed first so two workers never send one twice.

    Not one transaction: each claim and each "sent" mark commits on its own, so a worker killed half-way through
    a batch keeps the messages it sent marked as sent. The one it was sending stays claimed and is sent again once
    the claim is stale (ten minutes), with the same id (its dedupe_key) so that the gateway can drop the repeat.
    """
    now = now or timezone.now()
    stale_claim = now - timezone.timedelta(minutes=10)
    pending = Message.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale_claim)
    ).order_by("created_at").values_list("pk", "claimed_at")[:limit]
    chosen = messaging.backend()
    sent = 0
    for pk, claimed_at in list(pending):
        if Message.objects.filter(pk=pk, claimed_at=claimed_at, sent_at__isnull=True).update(claimed_at=now) != 1:
            continue
        message = Message.objects.get(pk=pk)
        try:
            chosen.send(message)
        except messaging.DeliveryError as e:
            Message.objects.filter(pk=pk).update(error=str(e)[:1000], attempts=message.attempts + 1, claimed_at=None)
            continue
        Message.objects.filter(pk=pk).update(sent_at=timezone.now(), backend=chosen.name, attempts=message.attempts + 1, error="")
        sent += 1
    return sent

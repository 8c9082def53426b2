"""Where messages go. Nothing leaves the machine unless a deployment configures a gateway.

LAOGAN_MESSAGE_BACKEND names one of BACKENDS. `database` (the default) only marks the message delivered to the
outbox page; `console` also prints it; `sms_http` posts it to an SMS gateway at LAOGAN_SMS_GATEWAY_URL.
"""

import json
import urllib.request

from django.conf import settings


class DeliveryError(Exception):
    pass


class DatabaseBackend:
    name = "database"

    def send(self, message):
        """The outbox row is the delivery: staff read it on the outbox page."""


class ConsoleBackend:
    name = "console"

    def send(self, message):
        print(f"[message to {message.to_address or message.recipient_id}] {message.subject} {message.body}")


class SmsHttpBackend:
    """Post to an HTTP SMS gateway: {"to": phone, "text": body, "id": dedupe key}; any non-2xx answer is an error to
    retry. The id (also sent as the Idempotency-Key header) is the same on every attempt, so a gateway that honours
    it sends a message retried after a worker crash only once."""

    name = "sms_http"

    def send(self, message):
        if not message.to_address:
            raise DeliveryError("no phone number")
        payload = json.dumps({"to": message.to_address, "text": message.body, "id": message.dedupe_key}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {settings.LAOGAN_SMS_GATEWAY_TOKEN}"}
        if message.dedupe_key.isascii():
            headers["Idempotency-Key"] = message.dedupe_key
        request = urllib.request.Request(settings.LAOGAN_SMS_GATEWAY_URL, data=payload, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"gateway answered {response.status}")
        except OSError as e:
            raise DeliveryError(str(e)) from e


BACKENDS = {b.name: b for b in (DatabaseBackend, ConsoleBackend, SmsHttpBackend)}


def backend():
    return BACKENDS[settings.LAOGAN_MESSAGE_BACKEND]()

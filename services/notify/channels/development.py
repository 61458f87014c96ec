"""The development adapter: what it 'sends' is kept in the service's own database
(`dev_messages`), for the console's 消息记录 page and for tests. It is the default of
`make run`. A message is kept once under its key, so a send repeated after a crash leaves
one copy. The text of a sign-in code is sealed at rest and opened only by that page."""
from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from services.notify.channels.base import Adapter, Outgoing
from services.notify.repositories import MAILBOX
from shared import clock


class DevelopmentAdapter(Adapter):
    name = "development"

    def __init__(self, channel: str, cipher=None):
        self.channel = channel
        self.cipher = cipher
        self._db = None

    def bind(self, db, cipher=None) -> None:
        self._db = db
        self.cipher = cipher or self.cipher

    def send(self, outgoing: Outgoing) -> str:
        document = {"_id": outgoing.key, "kind": outgoing.kind, "channel": self.channel,
                    "to_masked": outgoing.to_masked, "to_fp": outgoing.to_fingerprint,
                    "subject": outgoing.rendered.subject, "sent_at": clock.now()}
        if outgoing.secret and self.cipher is not None:
            document["text"] = "(验证码消息,仅在消息记录页显示)"
            document["text_sealed"] = self.cipher.seal(outgoing.rendered.text)
        else:
            document["text"] = outgoing.rendered.text
        try:
            self._db[MAILBOX].insert_one(document)
        except DuplicateKeyError:
            pass  # sent before (the record of it was lost with a crash): one copy is kept
        return f"dev:{outgoing.key}"

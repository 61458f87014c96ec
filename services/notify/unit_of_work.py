"""The notification service's unit of work: its repositories and indexes."""
from services.notify import domain
from services.notify.repositories import (INDEXES, Attempts, Callbacks, Codes, Fanouts, Mailbox,
                                          Messages, Preferences, Registry)
from shared.unit_of_work import UnitOfWork


class NotifyUnitOfWork(UnitOfWork):
    repositories = {"messages": Messages, "attempts": Attempts, "preferences": Preferences,
                    "codes": Codes, "registry": Registry, "fanouts": Fanouts,
                    "callbacks": Callbacks, "mailbox": Mailbox}
    indexes = INDEXES

    @property
    def settings(self) -> domain.Settings:
        return domain.Settings.from_config(self.config)

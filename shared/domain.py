"""What every aggregate of every service shares: states and the actions legal in each, the
history of who did what, the events a change causes and the figures it moves. No I/O.

A service's aggregate is a dataclass that inherits `Aggregate` and declares:

- `ACTIONS`: {action: (states it is legal in, Chinese label)} and `STATE_NAMES`;
- `subject()`: how an error message names it ("工单 WO202612060001 ");
- `event_data(actor)`: the fields every event about it carries;
- optionally `moved(from_state, at)`: what a change of state does to the figures.

Changes then read as the rules they are: `self._move("accept", ACCEPTED, actor, at, note)`
checks that the action is legal now, records it in the history and calls `moved`;
`self._emit(EVENT, actor, **data)` queues an event, `self._count(key, **changes)` a change of
figures. The repository stores the aggregate with both (see shared.repository).
"""
from __future__ import annotations

from datetime import datetime

from shared.errors import IllegalTransition


def actor_ref(actor: dict) -> dict:
    """Who did it, as the history keeps it."""
    return {k: actor.get(k) for k in ("id", "name", "role")}


def history_entry(action, from_state, to_state, actor, at, note=None, details=None) -> dict:
    return {"action": action, "from_state": from_state, "to_state": to_state,
            "actor": actor_ref(actor), "at": at, "note": note, "details": details or {}}


def illegal_transition(subject: str, state_name: str, action_label: str) -> IllegalTransition:
    return IllegalTransition(f"{subject}当前状态为“{state_name}”,不能{action_label}",
                             code="ILLEGAL_TRANSITION")


class Aggregate:
    ACTIONS: dict = {}
    STATE_NAMES: dict = {}

    # What the last changes caused; never stored with the aggregate.
    @property
    def events(self) -> list:
        return self.__dict__.setdefault("_events", [])

    @events.setter
    def events(self, value: list) -> None:
        self.__dict__["_events"] = value

    @property
    def stat_changes(self) -> list:
        return self.__dict__.setdefault("_stat_changes", [])

    @stat_changes.setter
    def stat_changes(self, value: list) -> None:
        self.__dict__["_stat_changes"] = value

    # -- what a subclass says about itself ---------------------------------------------------

    def subject(self) -> str:
        raise NotImplementedError

    def event_data(self, actor: dict | None) -> dict:
        return {}

    def moved(self, from_state: str, at: datetime) -> None:
        """A change of state happened (the figures by state may follow it)."""

    # -- questions --------------------------------------------------------------------------

    def allowed_actions(self) -> list[str]:
        return [action for action, (states, _) in self.ACTIONS.items() if self.state in states]

    # -- changes ----------------------------------------------------------------------------

    def _check(self, action: str) -> None:
        states, label = self.ACTIONS[action]
        if self.state not in states:
            raise illegal_transition(self.subject(), self.STATE_NAMES[self.state], label)

    def _move(self, action, to_state, actor, at, note=None, details=None):
        self._check(action)
        from_state, self.state = self.state, to_state
        self._record(action, from_state, actor, at, note, details)
        self.moved(from_state, at)
        return from_state

    def _record(self, action, from_state, actor, at, note=None, details=None) -> None:
        self.updated_at = at
        self.history.append(history_entry(action, from_state, getattr(self, "state", None),
                                          actor, at, note, details))

    def _emit(self, event_type, actor=None, **data) -> None:
        self.events.append((event_type, {**self.event_data(actor), **data}))

    def _count(self, key, **changes) -> None:
        if key is not None:
            self.stat_changes.append((key, changes))

"""The event catalogue: every event a service publishes, with the schema of its payload.

One module per producing service (`shared/events/repair.py`, …) holds that service's event
types as constants. Producers build events only from these constants (the payload is checked
strictly before it is stored); handlers subscribe only by naming them. Payloads carry ids and
times as strings (ISO 8601 with a zone) and other plain JSON values.

Rules for changing an event: adding an optional field is compatible (consumers ignore what
they do not know); anything else is a new event type.
"""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError


@dataclass(frozen=True)
class EventType:
    source: str
    name: str
    schema: type[Schema]
    description: str
    version: int = 1

    def __post_init__(self):
        CATALOGUE[(self.source, self.name)] = self

    @property
    def key(self) -> str:
        return f"{self.source}.{self.name}"

    def check(self, data: dict) -> None:
        """Producer side: the payload must match the schema exactly (ValueError if not)."""
        errors = self.schema(unknown=RAISE).validate(data)
        if errors:
            raise ValueError(f"{self.key} payload does not match the catalogue: {errors}")

    def read(self, data: dict) -> dict:
        """Consumer side: typed values, unknown fields ignored (ValidationError if invalid)."""
        return self.schema(unknown=EXCLUDE).load(data)


CATALOGUE: dict[tuple[str, str], EventType] = {}

__all__ = ["EventType", "CATALOGUE", "ValidationError"]

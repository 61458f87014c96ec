"""Generated from the event catalogue (shared/events/): every event type a service publishes is
named — by its type name or its constant — in at least one test under tests/, so a new event is
covered by default and a test of its own is what makes this pass."""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import shared.events
from shared.events import CATALOGUE, EventType

TESTS = Path(__file__).resolve().parents[1]


def catalogue() -> dict[str, tuple[EventType, str]]:
    """Every event type, by key, with the name of the constant that declares it."""
    found = {}
    for module in pkgutil.iter_modules(shared.events.__path__):
        loaded = importlib.import_module(f"shared.events.{module.name}")
        for constant, value in vars(loaded).items():
            if isinstance(value, EventType):
                found[value.key] = (value, constant)
    return found


EVENTS = catalogue()


def test_the_catalogue_is_read_whole():
    declared = {event.key for event in CATALOGUE.values()
                if event.schema.__module__.startswith("shared.events.")}
    assert set(EVENTS) == declared and len(EVENTS) > 40


def naming_tests(event: EventType, constant: str) -> list[str]:
    pattern = re.compile(rf"\b({re.escape(event.name)}|{re.escape(constant)})\b")
    return [str(path.relative_to(TESTS)) for path in sorted(TESTS.rglob("test_*.py"))
            if path != Path(__file__).resolve()
            and pattern.search(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("key", sorted(EVENTS))
def test_every_event_type_is_named_by_a_test(key):
    event, constant = EVENTS[key]
    assert naming_tests(event, constant), (
        f"no test names {key} ({constant}): add a test of its effect and its fields")

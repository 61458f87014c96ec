"""Looking for personal data in what a service stored, answered or published — field by field
of the parsed payload, never as a substring of its printed form: an id, a time or a digest
that happens to hold the same few digits is not a finding, and a test built on that would
pass or fail by chance."""
from __future__ import annotations

import re
from typing import Iterator


def leaves(payload, path: str = "") -> Iterator[tuple[str, object]]:
    """Every scalar of a parsed payload (dicts, lists, tuples), with where it is."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            yield from leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(payload, (list, tuple)):
        for index, value in enumerate(payload):
            yield from leaves(value, f"{path}[{index}]")
    else:
        yield path, payload


def fields_holding(payload, secret: str) -> list[str]:
    """The fields whose text is `secret` or holds it as a whole (a phone number inside a
    sentence, say): never a run of digits that merely includes it."""
    whole = re.compile(rf"(?<![0-9]){re.escape(secret)}(?![0-9])")
    return [path for path, value in leaves(payload)
            if isinstance(value, str) and whole.search(value)]


def fields_equal_to(payload, secret: str) -> list[str]:
    """The fields whose value is exactly `secret` (a code kept in clear)."""
    return [path for path, value in leaves(payload) if str(value) == secret]

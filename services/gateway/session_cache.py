"""The sessions a gateway process has checked in the last few seconds, so that a burst of
requests on one session reads the session and its account once rather than on every request.

Every request is still checked: its token must name a session found here or in the database,
the session must not have expired (checked against its `expires_at` on every request), and the
role and limits of the account are what the request is authorised with. What the cache changes
is when a change made elsewhere is seen:

- in this process, at once: signing out forgets the session, and any change to an account
  (disabled, a new password, another role, community or department) forgets all its sessions,
  before the answer to that request is given;
- in another gateway process, within `SESSION_CACHE_SECONDS` (default 5): each entry is used
  for that long after it was read, then read again. `0` turns the cache off.

Only sessions that were found are kept (an unknown token is looked for every time), at most
`MAX_ENTRIES` of them, by the SHA-256 of the token (never the token itself). A look-up that
started before a sign-out or an account change in this process is not kept, so a request
racing a sign-out cannot put the session back.
"""
from __future__ import annotations

import time

MAX_ENTRIES = 10_000


DEFAULT_SECONDS = 5.0


class SessionCache:
    """One per process (`SESSIONS`), shared by every gateway in it: what one forgets, none
    uses again. Each look-up says how old an entry it takes (its gateway's setting)."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: dict = {}    # (database, digest) -> (read_at, account_id, found)
        self._generation = 0        # moved by every forgetting

    def generation(self) -> int:
        return self._generation

    def get(self, database: str, digest: str, seconds: float):
        entry = self._entries.get((database, digest))
        if entry is None or seconds <= 0:
            return None
        if time.monotonic() - entry[0] >= seconds:
            return None
        return entry[2]

    def put(self, database: str, digest: str, account_id: str, found, generation: int) -> None:
        """Keep what a look-up found, unless something was forgotten since it started."""
        if generation != self._generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))  # the oldest put
        self._entries.pop((database, digest), None)  # put again: now the newest
        self._entries[(database, digest)] = (time.monotonic(), account_id, found)

    def forget_session(self, database: str, digest: str) -> None:
        self._generation += 1
        self._entries.pop((database, digest), None)

    def forget_account(self, database: str, account_id: str) -> None:
        self._generation += 1
        for key in [key for key, entry in self._entries.items()
                    if key[0] == database and entry[1] == account_id]:
            self._entries.pop(key, None)


SESSIONS = SessionCache()


def cache_seconds(config) -> float:
    """`SESSION_CACHE_SECONDS`: how long a session read is used for (0: not kept)."""
    config = config or {}
    raw = config.get("SESSION_CACHE_SECONDS")
    seconds = DEFAULT_SECONDS if raw in (None, "") else float(raw)
    if seconds < 0:
        raise ValueError(f"SESSION_CACHE_SECONDS must be 0 or more, not {raw!r}")
    return seconds

"""The audit log as a list: newest first by the entry's time, paged by cursor in bounded
windows (shared.listing), with an index for each filter a reader starts from — who, which
action, which outcome. The other filters (method, status, refused) are tested on the entries
read. The log keeps no total: a page says whether there is a next one."""
from __future__ import annotations

from shared.listing import Listing, Sort

AUDIT_LIST = Listing({
    "at": Sort("at", filters=(("actor.id",), ("action",), ("outcome",))),
})

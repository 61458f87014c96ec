"""Exemplars (先进典型): nominations, their review and publication."""
from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from services.activity import exceptions as errors
from services.activity import exemplars
from services.activity.repositories.indexes import EXEMPLAR_TALLIES, EXEMPLARS, INDEXES
from shared import clock
from shared.paging import Extents, Order, empty_page, keyset_page
from shared.repository import AggregateRepository, plain_fields
from shared.search import TERMS, search_criteria, terms

ORDER = Order("nominated_at")
EXTENTS = Extents(EXEMPLARS, ("nominated_at",))
FILTERS = ("community", "category", "volunteer_id", "year", "state", "q")
COUNTED = ("community", "state")  # the filters the counters can total


class Exemplars(AggregateRepository):
    collection_name = EXEMPLARS
    tallies = EXEMPLAR_TALLIES
    extents = EXTENTS
    derived_fields = (TERMS,)
    PLAIN = plain_fields(exemplars.Exemplar, "exemplar_id")

    def to_document(self, exemplar: exemplars.Exemplar) -> dict:
        return {"_id": exemplar.exemplar_id, **{n: getattr(exemplar, n) for n in self.PLAIN},
                "open_key": exemplar.open_key,
                TERMS: terms(exemplar.exemplar_id, exemplar.name, exemplar.title,
                             exemplar.story)}

    def tally_values(self, exemplar: exemplars.Exemplar) -> dict:
        return {"community": exemplar.community, "state": exemplar.state}

    def from_document(self, doc: dict) -> exemplars.Exemplar:
        return exemplars.Exemplar(exemplar_id=doc["_id"],
                                  **{n: doc[n] for n in self.PLAIN if n in doc})

    def not_found(self, exemplar_id):
        return errors.exemplar_not_found(exemplar_id)

    def next_id(self, at: datetime) -> str:
        year = f"EX{clock.local_date(at).year}"
        return f"{year}{self.uow.next_number(year):04d}"

    def add(self, exemplar: exemplars.Exemplar) -> None:
        """A volunteer has one open nomination per category: a second is refused, checked
        first and held by the unique index when two are made at once."""
        if exemplar.open_key and self.open_for(exemplar.category, exemplar.volunteer_id):
            raise _already_nominated(exemplar)
        try:
            super().add(exemplar)
        except DuplicateKeyError:  # ids are allocated unique: only the open key can collide
            if exemplar.open_key:
                raise _already_nominated(exemplar) from None
            raise

    def open_for(self, category: str, volunteer_id: str) -> exemplars.Exemplar | None:
        return self.find({"open_key": f"{category}|{volunteer_id}"})

    def page(self, query: dict) -> dict:
        """A page of the list, newest nomination first (shared.paging); the total only where
        the counters can give it."""
        total = EXEMPLAR_TALLIES.total(self.uow, {name: query.get(name) for name in FILTERS}) \
            if all(query.get(name) is None for name in FILTERS if name not in COUNTED) else None
        extent = EXTENTS.of(self.uow, ORDER.field)
        if extent is None:
            return empty_page(query, total)
        criteria: dict = {}
        for name in ("community", "category", "volunteer_id", "year"):
            if query.get(name) is not None:
                criteria[name] = query[name]
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("q"):
            criteria.update(search_criteria(query["q"]))
        page = keyset_page(self.documents, criteria, ORDER, query, extent=extent,
                           indexes=INDEXES[EXEMPLARS])
        page["items"] = self.many(page["items"])
        page["total"] = total
        return page


def _already_nominated(exemplar: exemplars.Exemplar):
    return errors.exists(f"志愿者 {exemplar.volunteer_id} 的"
                         f"{exemplars.CATEGORIES[exemplar.category]}推荐")

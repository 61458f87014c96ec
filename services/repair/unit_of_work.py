"""The repair service's unit of work: its repositories, indexes and first-start data."""
from services.repair.photo_store import INDEXES as PHOTO_INDEXES, Photos
from services.repair.repositories import INDEXES, WORK_ORDERS, Reference, WorkOrders
from shared.unit_of_work import UnitOfWork, command


@command
def seed(uow) -> None:
    """The usual departments on a first start, for the office to edit or extend; the lists'
    totals and extents, for orders stored before they were kept."""
    uow.reference.ensure_default_departments()
    uow.work_orders.upgrade()


class RepairUnitOfWork(UnitOfWork):
    repositories = {"work_orders": WorkOrders, "reference": Reference, "photos": Photos}
    indexes = {**INDEXES, **PHOTO_INDEXES}
    # Made by versions before 2026-12 for the duplicate search, which now reads
    # community_category_newest.
    retired_indexes = {WORK_ORDERS: ["same_alley"]}
    seed = staticmethod(seed)

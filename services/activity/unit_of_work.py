"""The activity service's unit of work: its repositories and indexes."""
from services.activity.repositories.activities import Activities, Series
from services.activity.repositories.exemplars import Exemplars
from services.activity.repositories.indexes import INDEXES
from services.activity.repositories.registrations import Registrations
from services.activity.repositories.venues import Venues
from shared.unit_of_work import UnitOfWork, command


@command
def seed(uow) -> None:
    """The lists' totals, extents and search terms, for records stored before they were
    kept (once; later starts find them and do nothing)."""
    uow.activities.upgrade()
    uow.registrations.upgrade()
    uow.exemplars.upgrade()


class ActivityUnitOfWork(UnitOfWork):
    repositories = {"activities": Activities, "series": Series,
                    "registrations": Registrations, "venues": Venues, "exemplars": Exemplars}
    indexes = INDEXES
    seed = staticmethod(seed)

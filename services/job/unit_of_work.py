"""The job service's unit of work: its repositories, indexes and first-start upkeep."""
from services.job.records import Notifications, Statistics
from services.job.repositories import (INDEXES, Applications, Employers, Placements, Postings,
                                       Seekers, Visits)
from shared.unit_of_work import UnitOfWork, command

AGGREGATES = ("employers", "visits", "postings", "seekers", "applications", "placements")


@command
def seed(uow) -> None:
    """For records stored before the lists paged by cursor: their order keys and search
    terms, and the lists' totals and extents (each done once)."""
    for name in AGGREGATES:
        repository = getattr(uow, name)
        repository.backfill()
        repository.upgrade()
    uow.notifications.upgrade()


class JobUnitOfWork(UnitOfWork):
    repositories = {"employers": Employers, "visits": Visits, "postings": Postings,
                    "seekers": Seekers, "applications": Applications,
                    "placements": Placements, "notifications": Notifications,
                    "statistics": Statistics}
    indexes = INDEXES
    seed = staticmethod(seed)

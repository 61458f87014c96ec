"""The volunteer service's unit of work: its repositories and indexes."""
from services.volunteer.repositories import (INDEXES, Certificates, Corrections, Figures,
                                             Ledger, Reference, Shifts, Volunteers)
from shared.unit_of_work import UnitOfWork, command


@command
def seed(uow) -> None:
    """The lists' totals, extents and derived fields (availability slots, who is on a shift,
    search terms, the day of service), for records stored before they were kept (once; later
    starts find them and do nothing)."""
    uow.volunteers.upgrade()
    uow.shifts.upgrade()
    uow.corrections.upgrade()
    uow.ledger.upgrade()
    uow.certificates.upgrade()


class VolunteerUnitOfWork(UnitOfWork):
    repositories = {"volunteers": Volunteers, "shifts": Shifts, "ledger": Ledger,
                    "corrections": Corrections, "certificates": Certificates,
                    "reference": Reference, "figures": Figures}
    indexes = INDEXES
    seed = staticmethod(seed)

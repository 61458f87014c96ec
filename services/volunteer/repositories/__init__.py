"""Volunteers, shifts, the hours ledger and what goes with them, in and out of the volunteer
service's own database.

Repositories are bound to the unit of work (shared.unit_of_work): they never take a session,
and every query they run is inside the unit of work's transaction when it has one.

- registry.py: volunteers, teams, the recognition rules, the activities we heard of;
- shifts.py: shifts and the corrections of attendance;
- ledger.py: the hours ledger and certificates;
- figures.py: the counters the published figures are read from.
"""
from services.volunteer.repositories import figures, ledger, registry, shifts
from services.volunteer.repositories.figures import Figures
from services.volunteer.repositories.ledger import Certificates, Ledger
from services.volunteer.repositories.registry import Reference, Volunteers
from services.volunteer.repositories.shifts import Corrections, Shifts

INDEXES = {**registry.INDEXES, **shifts.INDEXES, **ledger.INDEXES, **figures.INDEXES}

__all__ = ["INDEXES", "Certificates", "Corrections", "Figures", "Ledger", "Reference",
           "Shifts", "Volunteers"]

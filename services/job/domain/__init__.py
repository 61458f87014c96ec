"""一走四送 and employment services: the rules, as plain Python with no I/O.

Aggregates and their states:

    Employer          a (mostly small or micro) business in a community
    Visit             走访: findings, the four deliveries (送政策 / 送培训 / 送岗位 / 送服务),
                      follow-up actions, problems found (each → a work order in repair)
                          problem: reported → resolved | ended (rejected, cancelled, duplicate)
    JobPosting        open → filled | expired | withdrawn;  renew → open again
    JobSeeker         seeking ⇄ paused;  seeking → placed (hired) → seeking (placement ended)
    Application       applied → interview_scheduled → interview_passed → hired
                      (applied → hired directly; not_hired / withdrawn end it)
    Placement         active → stable (still employed at the 6-month follow-up) | ended
                      follow-ups at 1, 3 and 6 months: pending → announced → done (or skipped)

Every change checks that it is legal now, is kept in the aggregate's history, emits its
catalogue events and says how the published figures change (`stat_changes`, per office month
and community); the repositories store all three in one transaction.

The rules are in the modules of this package — reference (codes, states, shared texts and the
aggregates' base), employers (employers and visits), postings, seekers (seekers, applications,
placements) and figures; everything is importable from here.
"""
from services.job.domain.reference import *  # noqa: F401,F403  codes, states, texts
from services.job.domain.employers import Employer, Visit  # noqa: F401
from services.job.domain.postings import JobPosting  # noqa: F401
from services.job.domain.seekers import (Application, JobSeeker, Placement,  # noqa: F401
                                         hire, placement_left)
from services.job.domain.figures import GROUP_DIMENSIONS, figures, roll_up  # noqa: F401

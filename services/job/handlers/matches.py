"""Matching both ways: open postings ranked for a person, people ranked for a posting, each
with the reasons (the rules are in services/job/matching.py)."""
from __future__ import annotations

from services.job import domain, exceptions, matching, schemas
from services.job.summary_views import PostingMatchView, SeekerMatchView
from shared.schemas import load
from shared.unit_of_work import query

SEEKER_SEARCH_RADIUS_KM = 10.0


@query
def postings_for_seeker(uow, seeker_id: str, query: dict) -> list[dict]:
    """Open postings ranked for a person, with the reasons."""
    query = load(schemas.Match(), query)
    seeker = uow.seekers.get(seeker_id)
    # The newest open postings of the person's community and of the whole street, a bounded
    # number of each (services/job/repositories.py Postings.open).
    postings = {p.posting_id: p for p in uow.postings.open(seeker.community)}
    for posting in uow.postings.open():
        postings.setdefault(posting.posting_id, posting)
    postings = list(postings.values())
    applied = uow.applications.active_of_seeker(seeker_id)
    return PostingMatchView(many=True, now=uow.now).dump([
        {"match": match, "posting": posting, "application_id": applied.get(posting.posting_id)}
        for posting, match in matching.rank_postings(seeker, postings, query["limit"])])


@query
def seekers_for_posting(uow, posting_id: str, query: dict) -> list[dict]:
    """People looking for work ranked for an open posting, with the reasons."""
    query = load(schemas.Match(), query)
    posting = uow.postings.get(posting_id)
    if posting.state != domain.OPEN:
        raise exceptions.illegal_transition(posting.KIND, posting_id,
                                            domain.POSTING_STATES[posting.state], "匹配求职者")
    seekers = uow.seekers.candidates(posting, SEEKER_SEARCH_RADIUS_KM)
    applied = uow.applications.active_for_posting(posting_id)
    return SeekerMatchView(many=True, now=uow.now).dump([
        {"match": match, "seeker": seeker, "application_id": applied.get(seeker.seeker_id)}
        for seeker, match in matching.rank_seekers(posting, seekers, query["limit"])])

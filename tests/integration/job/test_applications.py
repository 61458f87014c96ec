"""An application declined (不予录用) or withdrawn (撤回报名): its effect on the application,
the person and the posting, over RPC against the real broker and SecantusDB. Neither is an
event of the catalogue, so neither publishes one — checked once the system is quiet. A step
taken twice, or on an application already ended, is refused and changes nothing."""
import pytest

from shared.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from tests.integration.job.conftest import STAFF, TOY_WORKSHOP, in_days
from tests.integration.job.test_people import GRANDMOTHER


def setting(rpc):
    """A posting with two openings and a person who applied for it."""
    employer = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    posting = rpc.job.publish_job_posting(
        STAFF, employer_id=employer, title="毛绒玩具手工缝制", description="计件,时间灵活",
        valid_through=in_days(30), employment_type="PART_TIME", hours_flexible=True,
        openings=2)["posting_id"]
    seeker = rpc.job.register_seeker(STAFF, **GRANDMOTHER)["seeker_id"]
    application = rpc.job.apply_for_job(STAFF, posting_id=posting, seeker_id=seeker)
    return posting, seeker, application


def unchanged(rpc, before):
    after = rpc.job.get_application(before["application_id"])
    assert (after["state"], after["version"], len(after["history"])) == (
        before["state"], before["version"], len(before["history"]))


@pytest.mark.parametrize("step, state, state_name, reason", [
    ("decline_application", "not_hired", "未录用", "岗位要求能上夜班"),
    ("withdraw_application", "withdrawn", "已撤回", "本人已在别处就业")])
def test_an_ended_application_frees_the_person_to_apply_again(
        job, rpc, event_tap, step, state, state_name, reason):
    tap = event_tap("job")
    posting, seeker, application = setting(rpc)
    app_id = application["application_id"]
    rpc.job.schedule_interview(app_id, STAFF, scheduled_at=in_days(1), place="聚宝路12号")
    with pytest.raises(ValidationFailed) as failed:  # a reason is required
        getattr(rpc.job, step)(app_id, STAFF)
    assert set(failed.value.fields) == {"reason"}
    with pytest.raises(NotFound):
        getattr(rpc.job, step)("AP-none", STAFF, reason=reason)

    ended = getattr(rpc.job, step)(app_id, STAFF, reason=reason)
    assert (ended["state"], ended["state_name"], ended["outcome_reason"]) == (
        state, state_name, reason)
    assert ended["allowed_actions"] == []
    assert [h["action"] for h in ended["history"]] == [
        "apply", "schedule_interview", step.split("_")[0]]
    assert ended["history"][-1]["note"] == reason
    for again in ("decline_application", "withdraw_application"):
        with pytest.raises(IllegalTransition):  # ended: nothing more happens to it
            getattr(rpc.job, again)(app_id, STAFF, reason=reason)
    with pytest.raises(IllegalTransition):
        rpc.job.hire_applicant(app_id, STAFF, started_on=ended["applied_at"][:10])
    unchanged(rpc, ended)

    # The person is free again: not placed, and may apply to the same posting anew, once.
    assert rpc.job.get_seeker(seeker)["state"] == "seeking"
    assert rpc.job.get_job_posting(posting)["state"] == "open"
    renewed = rpc.job.apply_for_job(STAFF, posting_id=posting, seeker_id=seeker)
    assert renewed["application_id"] != app_id and renewed["state"] == "applied"
    with pytest.raises(Conflict):
        rpc.job.apply_for_job(STAFF, posting_id=posting, seeker_id=seeker)
    listed = rpc.job.list_applications(posting_id=posting)
    assert sorted((a["application_id"], a["state"]) for a in listed["items"]) == sorted(
        [(app_id, state), (renewed["application_id"], "applied")])

    # No catalogue event for applications: the posting's own, and nothing else.
    assert tap.types() == ["job_posting_opened"]

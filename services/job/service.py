"""The job service: 一走四送 employer visits, job postings, seekers and matching, applications
and placements with their 1/3/6-month follow-ups, the community screen feed and the figures.

Entrypoints and wiring only: input is loaded through `schemas`, rules live in `domain` (and
`matching`, `screen`), storage in `repository`. Every change runs in one transaction with the
events it causes.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.timer import Timer, timer

from services.job import domain, exceptions, imports, matching, schemas, screen
from services.job.repository import INDEXES, JobRepository
from shared import clock
from shared.events.repair import (WORK_ORDER_CANCELLED, WORK_ORDER_CLOSED,
                                  WORK_ORDER_MARKED_DUPLICATE, WORK_ORDER_REJECTED,
                                  WORK_ORDER_REPORTED)
from shared.events.volunteer import PLACEMENT_FOLLOW_UP_RECORDED
from shared.health import health_report
from shared.errors import NotFound, ValidationFailed
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData, mask_id_number, mask_phone, record_reveal
from shared.schemas import ActorSchema, load, month_range, page_of
from shared.storage import MongoStore

log = logging.getLogger(__name__)

SYSTEM = {"id": "job", "name": "系统", "role": "system", "community": None}
EXPIRY_INTERVAL_SECONDS = 60
FOLLOW_UP_INTERVAL_SECONDS = 60
TIMER_BATCH = 200
SEEKER_SEARCH_RADIUS_KM = 10.0
REVEAL_ROLES = ("street_admin", "community_staff")


class ConfiguredTimer(Timer):
    """A timer whose interval the operator may set in the config under `key` (seconds),
    e.g. to look for due follow-ups more often than the default."""

    def __init__(self, key: str, interval: float, **kwargs):
        self.key = key
        super().__init__(interval, **kwargs)

    def setup(self):
        super().setup()
        self.interval = float(self.container.config.get(self.key) or self.interval)


Employer, Visit, JobPosting = domain.Employer, domain.Visit, domain.JobPosting
JobSeeker, Application, Placement = domain.JobSeeker, domain.Application, domain.Placement


class JobService:
    name = "job"

    store = MongoStore(INDEXES)
    config = Config()
    cipher = PersonalData()

    @property
    def repository(self) -> JobRepository:
        return JobRepository(self.store.db)

    # --- employers ---------------------------------------------------------------------------

    @rpc
    def register_employer(self, actor, **employer):
        actor = load(ActorSchema(), actor)
        details = load(schemas.Employer(), employer)
        details["contact"] = self._contact(details["contact"])
        at = clock.now()
        repository = self.repository

        def register(tx):
            registered = Employer.register(repository.next_id(tx, Employer, at), details,
                                           actor, at)
            repository.add_employer(tx, registered)
            return registered

        return schemas.present_employer(self.store.transaction(register))

    @rpc
    def import_employers(self, actor, **command):
        """批量导入 employers from an office's spreadsheet: every row is checked (the
        registration rules; no second employer of the same name in a community, in the
        registry or in the file) before anything is stored, then all are registered in one
        transaction. Bad rows refuse the whole file (`IMPORT_REJECTED`, errors by row)."""
        actor = load(ActorSchema(), actor)
        command = load(imports.ImportRows(), command)
        repository = self.repository
        errors, loaded, seen = {}, [], {}
        for index, row in enumerate(command["rows"]):
            try:
                details = load(schemas.Employer(), row)
            except ValidationFailed as error:
                errors[str(index)] = error.fields
                continue
            problems = _outside(actor, details["community"])
            key = (details["community"], domain.name_key(details["name"]))
            if repository.employers_named(details["name"], details["community"]):
                problems["name"] = ["该社区已有同名用工单位。"]
            elif key in seen:
                problems["name"] = [f"与第 {seen[key] + 1} 条记录重复。"]
            seen.setdefault(key, index)
            if problems:
                errors[str(index)] = problems
            details["contact"] = self._contact(details["contact"])
            loaded.append(details)
        at = clock.now()

        def register(tx, details):
            employer = Employer.register(repository.next_id(tx, Employer, at), details, actor,
                                         at)
            repository.add_employer(tx, employer)
            return employer.employer_id
        return self._import(command, loaded, errors, register)

    @rpc
    def import_job_postings(self, actor, **command):
        """批量导入 job postings (用工信息) from a spreadsheet, each naming its employer (and
        community where the name is not unique): every row is checked as a posting would be
        before anything is stored, then all are published in one transaction."""
        actor = load(ActorSchema(), actor)
        command = load(imports.ImportRows(), command)
        repository = self.repository
        at = clock.now()
        errors, loaded = {}, []
        for index, row in enumerate(command["rows"]):
            try:
                details = load(imports.ImportPosting(), row)
            except ValidationFailed as error:
                errors[str(index)] = error.fields
                continue
            problems = {}
            found = repository.employers_named(details.pop("employer_name"),
                                               details.get("community"))
            if not found:
                problems["employer_name"] = ["没有这家用工单位,请先登记或导入用工单位。"]
            elif len(found) > 1:
                problems["community"] = ["多个社区有同名用工单位,请填写社区。"]
            elif not found[0].active:
                problems["employer_name"] = ["该用工单位已停用。"]
            else:
                problems.update(_outside(actor, found[0].community))
            if details["valid_through"] <= at:
                problems["valid_through"] = ["截止时间应晚于现在。"]
            if problems:
                errors[str(index)] = problems
            elif found:
                loaded.append((found[0].employer_id, details))

        def publish(tx, item):
            employer_id, details = item
            employer = repository.get(Employer, employer_id, tx.session)
            posting = JobPosting.publish(repository.next_id(tx, JobPosting, at), employer,
                                         details, actor, at)
            repository.add(tx, posting)
            return posting.posting_id
        return self._import(command, loaded, errors, publish)

    def _import(self, command: dict, loaded: list, errors: dict, create) -> dict:
        """All rows or none: refused with the errors by row, or created in one transaction."""
        total = len(command["rows"])
        if errors:
            raise exceptions.import_rejected(len(errors), total, errors)
        if command["dry_run"]:
            return {"rows": total, "valid": total, "created": 0, "ids": [], "dry_run": True}
        ids = self.store.transaction(lambda tx: [create(tx, item) for item in loaded])
        return {"rows": total, "valid": total, "created": len(ids), "ids": ids,
                "dry_run": False}

    @rpc
    def update_employer(self, employer_id, actor, **changes):
        changes = schemas.load_changes(schemas.UpdateEmployer(), changes)

        contact = changes.pop("contact", None)
        phone = self.cipher.protect(contact["phone"], mask_phone) \
            if contact and contact.get("phone") else None

        def update(employer, who, at, tx):
            # Runs again if the transaction is retried: the input is read, never changed.
            merged = dict(changes)
            if contact:
                merged["contact"] = {"name": contact.get("name", employer.contact.get("name")),
                                     "phone": phone or employer.contact.get("phone")}
            employer.update(merged, who, at)
        return schemas.present_employer(self._change(Employer, employer_id, actor, update,
                                                     save=self.repository.save_employer))

    @rpc
    def get_employer(self, employer_id):
        return schemas.present_employer(self.repository.get(Employer, employer_id))

    @rpc
    def list_employers(self, **query):
        query = load(schemas.ListEmployers(), query)
        employers, total = self.repository.list_employers(query)
        return page_of([schemas.present_employer(e) for e in employers], total, query["page"],
                       query["page_size"])

    @rpc
    def reveal_employer_contact(self, employer_id, actor, **command):
        """The contact person's phone in clear; the reveal is audited before it is returned."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reveal(), command)
        employer = self.repository.get(Employer, employer_id)
        self._check_may_reveal(actor, employer.community)
        record_reveal(self.store.db, actor, "employer", employer_id, ["contact.phone"],
                      command["purpose"])
        return {"name": employer.contact.get("name"),
                "phone": _opened(self.cipher, employer.contact.get("phone"))}

    # --- visits (走访) -------------------------------------------------------------------------

    @rpc
    def record_visit(self, actor, **visit):
        """一走四送: a visit with its deliveries; problems found open work orders and agreed
        training becomes an activity, through events."""
        actor = load(ActorSchema(), actor)
        details = load(schemas.RecordVisit(), visit)
        at = clock.now()
        repository = self.repository

        def record(tx):
            employer = repository.get(Employer, details["employer_id"], tx.session)
            recorded = Visit.record(repository.next_id(tx, Visit, at), employer, details,
                                    actor, at)
            repository.add(tx, recorded)
            repository.save(tx, employer)
            return recorded

        return schemas.present_visit(self.store.transaction(record))

    @rpc
    def complete_visit_action(self, visit_id, action_id, actor, **command):
        command = load(schemas.CompleteAction(), command)
        return schemas.present_visit(self._change(
            Visit, visit_id, actor,
            lambda visit, who, at, tx: visit.complete_action(action_id, who, at,
                                                             command["note"])))

    @rpc
    def get_visit(self, visit_id):
        return schemas.present_visit(self.repository.get(Visit, visit_id))

    @rpc
    def list_visits(self, **query):
        query = load(schemas.ListVisits(), query)
        visits, total = self.repository.list_visits(query)
        return page_of([schemas.present_visit(v) for v in visits], total, query["page"],
                       query["page_size"])

    # --- job postings --------------------------------------------------------------------------

    @rpc
    def publish_job_posting(self, actor, **posting):
        actor = load(ActorSchema(), actor)
        details = load(schemas.PublishPosting(), posting)
        at = clock.now()
        repository = self.repository

        employer_id = details.pop("employer_id")

        def publish(tx):
            employer = repository.get(Employer, employer_id, tx.session)
            if details.get("visit_id"):
                visit = repository.get(Visit, details["visit_id"], tx.session)
                if visit.employer_id != employer.employer_id:
                    raise exceptions.invalid("visit_id", "该走访记录不属于此用工单位。")
            published = JobPosting.publish(repository.next_id(tx, JobPosting, at), employer,
                                           details, actor, at)
            repository.add(tx, published)
            return published

        return schemas.present_posting(self.store.transaction(publish))

    @rpc
    def update_job_posting(self, posting_id, actor, **changes):
        changes = schemas.load_changes(schemas.UpdatePosting(), changes)

        def update(posting, who, at, tx):
            flexible = changes.get("hours_flexible", posting.hours_flexible)
            schedule = changes.get("work_schedule", posting.work_schedule)
            hours = changes.get("work_hours", posting.work_hours)
            if not (flexible or schedule or hours):
                raise exceptions.invalid("work_schedule", "请填写工作时间,或注明时间灵活。")
            posting.update(changes, who, at)
        return schemas.present_posting(self._change(JobPosting, posting_id, actor, update))

    @rpc
    def withdraw_job_posting(self, posting_id, actor, **command):
        command = load(schemas.Withdraw(), command)
        return schemas.present_posting(self._change(
            JobPosting, posting_id, actor,
            lambda posting, who, at, tx: posting.withdraw(who, at, command["reason"])))

    @rpc
    def mark_job_posting_filled(self, posting_id, actor, **command):
        command = load(schemas.Note(), command)
        return schemas.present_posting(self._change(
            JobPosting, posting_id, actor,
            lambda posting, who, at, tx: posting.mark_filled(who, at, command["note"])))

    @rpc
    def renew_job_posting(self, posting_id, actor, **command):
        command = load(schemas.Renew(), command)
        return schemas.present_posting(self._change(
            JobPosting, posting_id, actor,
            lambda posting, who, at, tx: posting.renew(who, at, command["valid_through"],
                                                       command["openings"])))

    @timer(interval=EXPIRY_INTERVAL_SECONDS)
    def expire_job_postings(self):
        """Closes open postings past their deadline. Safe with several processes: each posting
        is re-read in its own transaction and expires only if it is still open and due."""
        at = clock.now()
        repository = self.repository
        expired = []
        for posting_id in repository.expired_postings(at, TIMER_BATCH):
            def expire(tx, posting_id=posting_id):
                posting = repository.get(JobPosting, posting_id, tx.session)
                if not posting.expire(SYSTEM, at):
                    return False
                repository.save(tx, posting)
                return True
            try:
                if self.store.transaction(expire):
                    expired.append(posting_id)
            except Exception:  # one bad record must not stop the others; the next tick retries
                log.exception("could not expire job posting %s", posting_id)
        return expired

    @rpc
    def get_job_posting(self, posting_id):
        return schemas.present_posting(self.repository.get(JobPosting, posting_id))

    @rpc
    def list_job_postings(self, **query):
        query = load(schemas.ListPostings(), query)
        postings, total = self.repository.list_postings(query)
        return page_of([schemas.present_posting(p) for p in postings], total, query["page"],
                       query["page_size"])

    @rpc
    def job_posting_schema_org(self, posting_id):
        return schemas.posting_schema_org(self.repository.get(JobPosting, posting_id))

    # --- job seekers ---------------------------------------------------------------------------

    @rpc
    def register_seeker(self, actor, **seeker):
        actor = load(ActorSchema(), actor)
        details = self._protected(load(schemas.RegisterSeeker(), seeker))
        at = clock.now()
        repository = self.repository

        def register(tx):
            registered = JobSeeker.register(repository.next_id(tx, JobSeeker, at), details,
                                            actor, at)
            repository.add_seeker(tx, registered)
            return registered

        return schemas.present_seeker(self.store.transaction(register))

    @rpc
    def update_seeker(self, seeker_id, actor, **changes):
        changes = self._protected(schemas.load_changes(schemas.UpdateSeeker(), changes))

        def update(seeker, who, at, tx):
            seeker.update(changes, who, at)
        return schemas.present_seeker(self._change(JobSeeker, seeker_id, actor, update,
                                                   save=self.repository.save_seeker))

    @rpc
    def pause_job_seeking(self, seeker_id, actor, **command):
        command = load(schemas.Note(), command)
        return schemas.present_seeker(self._change(
            JobSeeker, seeker_id, actor,
            lambda seeker, who, at, tx: seeker.pause(who, at, command["note"])))

    @rpc
    def resume_job_seeking(self, seeker_id, actor, **command):
        command = load(schemas.Note(), command)
        return schemas.present_seeker(self._change(
            JobSeeker, seeker_id, actor,
            lambda seeker, who, at, tx: seeker.resume(who, at, command["note"])))

    @rpc
    def get_seeker(self, seeker_id):
        return schemas.present_seeker(self.repository.get(JobSeeker, seeker_id))

    @rpc
    def list_seekers(self, **query):
        query = load(schemas.ListSeekers(), query)
        phone = query.pop("phone", None)
        seekers, total = self.repository.list_seekers(
            query, self.cipher.fingerprint(phone) if phone else None)
        return page_of([schemas.present_seeker(s) for s in seekers], total, query["page"],
                       query["page_size"])

    @rpc
    def reveal_seeker_contact(self, seeker_id, actor, **command):
        """The phone and ID number in clear; the reveal is audited before it is returned."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reveal(), command)
        seeker = self.repository.get(JobSeeker, seeker_id)
        self._check_may_reveal(actor, seeker.community)
        record_reveal(self.store.db, actor, "job_seeker", seeker_id, ["phone", "id_number"],
                      command["purpose"])
        return {"name": seeker.name, "phone": _opened(self.cipher, seeker.phone),
                "id_number": _opened(self.cipher, seeker.id_number)}

    # --- matching ------------------------------------------------------------------------------

    @rpc
    def match_postings_for_seeker(self, seeker_id, **query):
        """Open postings ranked for a person, with the reasons."""
        query = load(schemas.Match(), query)
        repository = self.repository
        seeker = repository.get(JobSeeker, seeker_id)
        at = clock.now()
        postings = [p for p in repository.open_postings() if p.valid_through > at]
        applied = repository.active_applications_of(seeker_id)
        return [{**match.as_dict(), "posting": schemas.posting_brief(posting),
                 "application_id": applied.get(posting.posting_id)}
                for posting, match in matching.rank_postings(seeker, postings, query["limit"])]

    @rpc
    def match_seekers_for_posting(self, posting_id, **query):
        """People looking for work ranked for an open posting, with the reasons."""
        query = load(schemas.Match(), query)
        repository = self.repository
        posting = repository.get(JobPosting, posting_id)
        if posting.state != domain.OPEN:
            raise exceptions.illegal_transition(posting.KIND, posting_id,
                                                domain.POSTING_STATES[posting.state],
                                                "匹配求职者")
        seekers = repository.candidate_seekers(posting, SEEKER_SEARCH_RADIUS_KM)
        applied = repository.active_applicants_of(posting_id)
        return [{**match.as_dict(), "seeker": schemas.seeker_brief(seeker),
                 "application_id": applied.get(seeker.seeker_id)}
                for seeker, match in matching.rank_seekers(posting, seekers, query["limit"])]

    # --- applications, interviews, placements --------------------------------------------------

    @rpc
    def apply_for_job(self, actor, **command):
        actor = load(ActorSchema(), actor)
        command = load(schemas.Apply(), command)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            posting = repository.get(JobPosting, command["posting_id"], tx.session)
            seeker = repository.get(JobSeeker, command["seeker_id"], tx.session)
            application = Application.submit(
                repository.next_id(tx, Application, at), posting, seeker, command["channel"],
                command["note"], actor, at)
            repository.add_application(tx, application)
            return application

        return schemas.present_application(self.store.transaction(apply))

    @rpc
    def schedule_interview(self, application_id, actor, **command):
        command = load(schemas.ScheduleInterview(), command)
        return schemas.present_application(self._change(
            Application, application_id, actor,
            lambda application, who, at, tx: application.schedule_interview(
                who, at, command["scheduled_at"], command["place"], command["note"])))

    @rpc
    def record_interview_result(self, application_id, actor, **command):
        command = load(schemas.InterviewResult(), command)
        return schemas.present_application(self._change(
            Application, application_id, actor,
            lambda application, who, at, tx: application.record_interview(
                who, at, command["result"], command["note"])))

    @rpc
    def hire_applicant(self, application_id, actor, **command):
        """录用: the application is hired, the posting counts one more place filled (and is
        filled when none are left), the person is placed, and a placement with its 1/3/6-month
        follow-ups begins — all in one transaction."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Hire(), command)
        at = clock.now()
        repository = self.repository

        def hire(tx):
            application = repository.get(Application, application_id, tx.session)
            posting = repository.get(JobPosting, application.posting_id, tx.session)
            seeker = repository.get(JobSeeker, application.seeker_id, tx.session)
            placement = domain.hire(repository.next_id(tx, Placement, at), application,
                                    posting, seeker, command["started_on"],
                                    command["monthly_pay"], command["note"], actor, at)
            for changed in (application, posting, seeker):
                repository.save(tx, changed)
            repository.add(tx, placement)
            return placement

        return schemas.present_placement(self.store.transaction(hire))

    @rpc
    def decline_application(self, application_id, actor, **command):
        command = load(schemas.Reason(), command)
        return schemas.present_application(self._change(
            Application, application_id, actor,
            lambda application, who, at, tx: application.decline(who, at, command["reason"])))

    @rpc
    def withdraw_application(self, application_id, actor, **command):
        command = load(schemas.Reason(), command)
        return schemas.present_application(self._change(
            Application, application_id, actor,
            lambda application, who, at, tx: application.withdraw(who, at, command["reason"])))

    @rpc
    def get_application(self, application_id):
        return schemas.present_application(self.repository.get(Application, application_id))

    @rpc
    def list_applications(self, **query):
        query = load(schemas.ListApplications(), query)
        applications, total = self.repository.list_applications(query)
        return page_of([schemas.present_application(a) for a in applications], total,
                       query["page"], query["page_size"])

    @rpc
    def record_placement_follow_up(self, placement_id, actor, **command):
        """A 1, 3 or 6-month follow-up: still employed at 6 months is 稳定就业; left ends the
        placement and the person is looking for work again."""
        command = load(schemas.PlacementFollowUp(), command)
        return schemas.present_placement(self._change(
            Placement, placement_id, actor,
            lambda placement, who, at, tx: self._after_placement_change(
                placement, who, at, tx, lambda: placement.record_follow_up(
                    who, at, command["month"], command["result"], command["note"]))))

    @rpc
    def end_placement(self, placement_id, actor, **command):
        """登记离职 between follow-ups."""
        command = load(schemas.EndPlacement(), command)

        def end(placement, who, at, tx):
            left_on = command["left_on"] or clock.local_date(at).isoformat()
            if left_on < placement.started_on:
                raise exceptions.invalid("left_on", "离职日期不能早于上岗日期。")
            self._after_placement_change(
                placement, who, at, tx,
                lambda: placement.end(who, at, left_on, command["reason"]))
        return schemas.present_placement(self._change(Placement, placement_id, actor, end))

    def _after_placement_change(self, placement, actor, at, tx, change):
        change()
        if placement.state == domain.ENDED:
            repository = self.repository
            seeker = repository.get(JobSeeker, placement.seeker_id, tx.session)
            if seeker.state == domain.PLACED:
                domain.placement_left(placement, seeker, actor, at)
                repository.save(tx, seeker)

    @ConfiguredTimer.decorator("FOLLOW_UP_TIMER_SECONDS", FOLLOW_UP_INTERVAL_SECONDS)
    def announce_due_follow_ups(self):
        """Emits placement_follow_up_due once for each follow-up that has fallen due (the
        volunteer service opens a visit shift for it). Safe with several processes."""
        at = clock.now()
        today = clock.local_date(at)
        repository = self.repository
        announced = []
        for placement_id in repository.placements_with_due_follow_ups(today, TIMER_BATCH):
            def announce(tx, placement_id=placement_id):
                placement = repository.get(Placement, placement_id, tx.session)
                due = placement.announce_due(today, at)
                if due:
                    repository.save(tx, placement)
                return [f["follow_up_id"] for f in due]
            try:
                announced.extend(self.store.transaction(announce))
            except Exception:  # one bad record must not stop the others; the next tick retries
                log.exception("could not announce follow-ups of placement %s", placement_id)
        return announced

    @handle_event(PLACEMENT_FOLLOW_UP_RECORDED)
    def apply_volunteer_follow_up(self, event):
        """A volunteer's 就业回访 records the follow-up it was opened for. A follow-up that no
        longer awaits a result (staff recorded it first, the placement ended) is left as it
        is."""
        data = event.data
        visitor = {"id": f"volunteer:{data['visitor_id']}", "name": data["visitor_name"],
                   "role": "volunteer"}
        result = domain.VOLUNTEER_FOLLOW_UP_RESULTS[data["result"]]
        at = clock.now()
        repository = self.repository

        def record(tx):
            try:
                placement = repository.get(Placement, data["placement_id"], tx.session)
            except NotFound:
                log.warning("volunteer follow-up %s for unknown placement %s",
                            data["follow_up_id"], data["placement_id"])
                return
            month = placement.month_of(data["follow_up_id"])
            if month is None or not placement.awaits_follow_up(month, at):
                return
            self._after_placement_change(
                placement, visitor, at, tx, lambda: placement.record_follow_up(
                    visitor, at, month, result, data["note"] or None))
            repository.save(tx, placement)
        self.store.transaction(record)

    @rpc
    def get_placement(self, placement_id):
        return schemas.present_placement(self.repository.get(Placement, placement_id))

    @rpc
    def list_placements(self, **query):
        query = load(schemas.ListPlacements(), query)
        placements, total = self.repository.list_placements(query, clock.local_date(
            clock.now()))
        return page_of([schemas.present_placement(p) for p in placements], total,
                       query["page"], query["page_size"])

    # --- what repair tells us ------------------------------------------------------------------

    @handle_event(WORK_ORDER_REPORTED)
    def note_work_order_opened(self, event):
        """repair opened a work order for a problem found on a visit: keep its number."""
        ref = _our_ref(event, self.name)
        if ref is None:
            return
        at = clock.now()
        repository = self.repository

        def note(tx):
            visit = repository.visit_with_problem(ref, tx.session)
            if visit is not None and visit.work_order_opened(ref, event.data["number"], at):
                repository.save(tx, visit)
        self.store.transaction(note)

    @handle_event(WORK_ORDER_CLOSED)
    def resolve_visit_problem(self, event):
        """The work order for a visit problem is closed: the problem is resolved and the
        employer is told."""
        self._close_problem(event, domain.PROBLEM_RESOLVED, event.data["resolution"])

    @handle_event(WORK_ORDER_REJECTED)
    def end_rejected_visit_problem(self, event):
        self._close_problem(event, "rejected", event.data["reason"])

    @handle_event(WORK_ORDER_CANCELLED)
    def end_cancelled_visit_problem(self, event):
        self._close_problem(event, "cancelled", event.data["reason"])

    @handle_event(WORK_ORDER_MARKED_DUPLICATE)
    def end_duplicate_visit_problem(self, event):
        reason = event.data["reason"]
        if event.data.get("duplicate_of"):
            reason = f"{reason}(已并入工单 {event.data['duplicate_of']} 办理)"
        self._close_problem(event, "duplicate", reason)

    def _close_problem(self, event, outcome: str, reason: str):
        """Work orders that job did not open are not ours: they are acknowledged without a
        transaction. For ours, the problem, the employer's notification and the inbox mark
        commit together, so a repeated event notifies no one twice."""
        ref = _our_ref(event, self.name)
        if ref is None:
            return
        at = clock.now()
        repository = self.repository

        def close(tx):
            visit = repository.visit_with_problem(ref, tx.session)
            if visit is None:
                log.warning("work order %s refers to unknown visit problem %s",
                            event.data["number"], ref)
                return
            notification = visit.close_problem(ref, event.data["number"], outcome, reason, at)
            if notification is None:
                return  # already closed: nothing new to tell the employer
            repository.save(tx, visit)
            repository.add_notification(tx, visit, notification, event.event_id, at)
        self.store.transaction(close)

    # --- notifications to employers ------------------------------------------------------------

    @rpc
    def list_employer_notifications(self, **query):
        query = load(schemas.ListNotifications(), query)
        docs, total = self.repository.list_notifications(query)
        return page_of([schemas.present_notification(d) for d in docs], total, query["page"],
                       query["page_size"])

    @rpc
    def mark_notification_read(self, notification_id, actor):
        """The employer has been told (by phone, in person, or read it in the console)."""
        actor = load(ActorSchema(), actor)
        at = clock.now()
        return schemas.present_notification(self.store.transaction(
            lambda tx: self.repository.mark_read(tx, notification_id, actor, at)))

    # --- the community screen ------------------------------------------------------------------

    @rpc
    def screen_feed(self, **query):
        """What a community's electronic screen shows now, as JSON."""
        query = load(schemas.Screen(), query)
        at = clock.now()
        return screen.feed(query["community"], self.repository.open_postings(
            query["community"]), at, query["rotate_seconds"], query["limit"])

    @rpc
    def screen_page(self, **query):
        """The same as a self-contained full-screen HTML page that scrolls by itself."""
        return screen.render_page(self.screen_feed(**query))

    # --- figures and reference data ------------------------------------------------------------

    @rpc
    def job_statistics(self, **query):
        """Visits and deliveries by kind, postings provided, placements and stable placements,
        for a period of office months, by community and month if asked."""
        query = load(schemas.Statistics(), query)
        first, last = month_range(query["period"], query["from_month"], query["to_month"])
        buckets = self.repository.stat_buckets(first, last, query["community"])
        result = domain.roll_up(buckets, tuple(query["group_by"]))
        result["period"] = {"from_month": first, "to_month": last}
        return result

    @rpc
    def reference_data(self):
        """Codes and their Chinese names, for forms and filters."""
        def labelled(mapping):
            return [{"code": code, "name": name} for code, name in mapping.items()]
        return {
            "sectors": labelled(domain.SECTORS), "employer_sizes": labelled(domain.EMPLOYER_SIZES),
            "delivery_kinds": labelled(domain.DELIVERY_KINDS),
            "problem_categories": labelled(domain.PROBLEM_CATEGORY_NAMES),
            "employment_types": labelled(domain.EMPLOYMENT_TYPES),
            "salary_units": labelled(domain.SALARY_UNITS),
            "posting_states": labelled(domain.POSTING_STATES),
            "seeker_states": labelled(domain.SEEKER_STATES),
            "application_states": labelled(domain.APPLICATION_STATES),
            "application_channels": labelled(domain.APPLICATION_CHANNELS),
            "interview_results": labelled(domain.INTERVIEW_RESULTS),
            "placement_states": labelled(domain.PLACEMENT_STATES),
            "follow_up_results": labelled(domain.FOLLOW_UP_RESULTS),
            "hour_presets": [{"code": code, **preset}
                             for code, preset in domain.HOUR_PRESETS.items()],
        }

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)

    # --- wiring ------------------------------------------------------------------------------

    def _change(self, cls, ident: str, actor: dict, change, save=None):
        """Load one aggregate, apply one domain step, store it with its events and figures."""
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository
        save = save or repository.save

        def apply(tx):
            aggregate = repository.get(cls, ident, tx.session)
            change(aggregate, actor, at, tx)
            save(tx, aggregate)
            return aggregate

        return self.store.transaction(apply)

    def _contact(self, contact: dict) -> dict:
        return {"name": contact["name"], "phone": self.cipher.protect(contact["phone"],
                                                                      mask_phone)}

    def _protected(self, details: dict) -> dict:
        """Phone and ID number are kept only sealed, masked and fingerprinted."""
        if details.get("phone"):
            details["phone"] = self.cipher.protect(details["phone"], mask_phone)
        if "id_number" in details:
            details["id_number"] = self.cipher.protect(details["id_number"], mask_id_number)
        return details

    @staticmethod
    def _check_may_reveal(actor: dict, community: str) -> None:
        if actor["role"] not in REVEAL_ROLES or (
                actor["role"] == "community_staff" and actor.get("community") != community):
            raise exceptions.reveal_forbidden()


def _our_ref(event, service_name: str) -> str | None:
    source_ref = event.data.get("source_ref") or {}
    return source_ref.get("ref") if source_ref.get("service") == service_name else None


def _opened(cipher, protected: dict | None) -> str | None:
    return cipher.open(protected["sealed"]) if protected else None


def _outside(actor: dict, community: str) -> dict:
    """Community staff import only their own community's records."""
    if actor.get("role") == "community_staff" and actor.get("community") != community:
        return {"community": [f"只能导入本社区({actor.get('community')})的记录。"]}
    return {}

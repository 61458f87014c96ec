"""The volunteer service: the volunteer registry, shifts and attendance, the hours ledger,
certificates, recognition, follow-up visits and the figures they add up to.

Entrypoints and wiring only: input is loaded through `schemas`, rules live in `domain` and
`ledger`, figures in `figures`, storage in `repository`. Every change runs in one transaction
with the events it causes.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from nameko.dependency_providers import Config
from nameko.timer import timer
from pymongo.errors import DuplicateKeyError

from services.volunteer import certificate, domain, exceptions, figures, ledger, schemas
from services.volunteer.repository import INDEXES, VolunteerRepository
from shared import clock
from shared.events.activity import ACTIVITY_CANCELLED, ACTIVITY_FINISHED, ACTIVITY_PUBLISHED
from shared.events.job import PLACEMENT_FOLLOW_UP_DUE
from shared.events.repair import (WORK_ORDER_COMPLETED, WORK_ORDER_FOLLOWED_UP,
                                  WORK_ORDER_REOPENED)
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData, mask_id_number, mask_phone, record_reveal
from shared.errors import NotFound, ValidationFailed
from shared.schemas import ActorSchema, load, month_range, page_of
from shared.storage import MongoStore

log = logging.getLogger(__name__)

SYSTEM = {"id": "volunteer", "name": "系统", "role": "system", "community": None}
AUTO_COMPLETE_INTERVAL_SECONDS = 300
RESCHEDULED = ("title", "place", "starts_at", "ends_at", "needed", "skills", "organiser",
               "description")


class VolunteerService:
    name = "volunteer"

    store = MongoStore(INDEXES)
    config = Config()
    cipher = PersonalData()

    @property
    def repository(self) -> VolunteerRepository:
        return VolunteerRepository(self.store.db)

    # --- the registry ------------------------------------------------------------------------

    @rpc
    def register_volunteer(self, actor, **registration):
        """注册: a resident registers (or staff register them); approval follows."""
        actor = load(ActorSchema(), actor)
        registration = load(schemas.RegisterVolunteer(), registration)
        at = clock.now()
        details = {**registration,
                   "id_number": self.cipher.protect(registration["id_number"], mask_id_number),
                   "phone": self.cipher.protect(registration["phone"], mask_phone)}
        fingerprint = details["id_number"]["fingerprint"]
        repository = self.repository

        def register(tx):
            repository.require_team(details["team"], tx.session)
            existing = repository.registered(fingerprint, tx.session)
            if existing is not None:
                raise exceptions.already_registered(
                    existing.id, domain.VOLUNTEER_STATE_NAMES[existing.state])
            volunteer = domain.Volunteer.register(repository.next_number(tx, "V", at),
                                                  details, actor, at)
            repository.add_volunteer(tx, volunteer)
            return volunteer

        try:
            volunteer = self.store.transaction(register)
        except DuplicateKeyError as error:  # the same person registered at the same moment
            if "registration_key" not in str(error):
                raise
            existing = repository.registered(fingerprint)
            raise exceptions.already_registered(
                existing.id, domain.VOLUNTEER_STATE_NAMES[existing.state]) from None
        return self._volunteer_view(volunteer)

    @rpc
    def import_volunteers(self, actor, **command):
        """批量导入 the registry an office kept in a spreadsheet: every row is checked (the
        registration rules, the team, the ID number not registered already nor twice in the
        file) before anything is stored, then all rows are registered and approved in one
        transaction — all or nothing. A file with bad rows is refused with the errors by row
        (`fields.rows.<index>`); `dry_run` only checks."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.ImportVolunteers(), command)
        domain.require_staff(actor, "批量导入志愿者")
        repository = self.repository
        errors, loaded, seen = {}, [], {}
        for index, row in enumerate(command["rows"]):
            try:
                registration = load(schemas.RegisterVolunteer(), row)
            except ValidationFailed as error:
                errors[str(index)] = error.fields
                continue
            problems = {}
            if not domain.may_manage(actor, registration["community"]):
                problems["community"] = [f"只能导入本社区({actor.get('community')})的志愿者。"]
            try:
                repository.require_team(registration["team"])
            except NotFound as error:
                problems["team"] = [error.message]
            details = {**registration,
                       "id_number": self.cipher.protect(registration["id_number"],
                                                        mask_id_number),
                       "phone": self.cipher.protect(registration["phone"], mask_phone)}
            fingerprint = details["id_number"]["fingerprint"]
            existing = repository.registered(fingerprint)
            if existing is not None:
                problems["id_number"] = [f"该身份证号已登记为志愿者 {existing.id}。"]
            elif fingerprint in seen:
                problems["id_number"] = [f"与第 {seen[fingerprint] + 1} 条记录的身份证号重复。"]
            seen.setdefault(fingerprint, index)
            if problems:
                errors[str(index)] = problems
            loaded.append(details)
        if errors:
            raise exceptions.import_rejected(len(errors), len(command["rows"]), errors)
        if command["dry_run"]:
            return {"rows": len(loaded), "valid": len(loaded), "created": 0, "ids": [],
                    "dry_run": True}
        at = clock.now()

        def register_all(tx):
            ids = []
            for details in loaded:
                volunteer = domain.Volunteer.register(repository.next_number(tx, "V", at),
                                                      details, actor, at)
                volunteer.approve(actor, at, "批量导入")
                repository.add_volunteer(tx, volunteer)
                ids.append(volunteer.id)
            return ids

        try:
            ids = self.store.transaction(register_all)
        except DuplicateKeyError:  # someone registered one of them meanwhile: nothing stored
            raise exceptions.import_rejected(
                1, len(loaded), {"_schema": ["导入期间有人登记了其中的志愿者,请重新导入。"]}) from None
        return {"rows": len(loaded), "valid": len(loaded), "created": len(ids), "ids": ids,
                "dry_run": False}

    @rpc
    def approve_volunteer(self, volunteer_id, actor, **command):
        command = load(schemas.Note(), command)
        return self._change_volunteer(volunteer_id, actor, lambda v, who, at, tx: v.approve(
            who, at, command["note"]))

    @rpc
    def reject_volunteer(self, volunteer_id, actor, **command):
        command = load(schemas.Reason(), command)
        return self._change_volunteer(volunteer_id, actor, lambda v, who, at, tx: v.reject(
            who, at, command["reason"]))

    @rpc
    def suspend_volunteer(self, volunteer_id, actor, **command):
        """暂停: the places the volunteer holds on shifts not yet begun are freed."""
        command = load(schemas.Reason(), command)

        def suspend(volunteer, who, at, tx):
            volunteer.suspend(who, at, command["reason"])
            self._release_sign_ups(tx, volunteer, who, at, "志愿者已暂停服务")
        return self._change_volunteer(volunteer_id, actor, suspend)

    @rpc
    def reinstate_volunteer(self, volunteer_id, actor, **command):
        command = load(schemas.Note(), command)
        return self._change_volunteer(volunteer_id, actor, lambda v, who, at, tx: v.reinstate(
            who, at, command["note"]))

    @rpc
    def withdraw_volunteer(self, volunteer_id, actor, **command):
        """退出: as suspension, the places held on shifts not yet begun are freed."""
        command = load(schemas.OptionalReason(), command)

        def withdraw(volunteer, who, at, tx):
            volunteer.withdraw(who, at, command["reason"])
            self._release_sign_ups(tx, volunteer, who, at, "志愿者已退出")
        return self._change_volunteer(volunteer_id, actor, withdraw)

    def _release_sign_ups(self, tx, volunteer, actor, at, reason):
        repository = self.repository
        for shift in repository.upcoming_sign_ups(volunteer.id, at, tx.session):
            shift.withdraw_sign_up(volunteer.id, actor, at, reason)
            repository.save_shift(tx, shift)

    @rpc
    def update_volunteer(self, volunteer_id, actor, **changes):
        changes = load(schemas.UpdateVolunteer(), changes)
        if "phone" in changes:
            changes["phone"] = self.cipher.protect(changes["phone"], mask_phone)

        def update(volunteer, who, at, tx):
            if changes.get("team"):
                self.repository.require_team(changes["team"], tx.session)
            volunteer.update(who, at, changes)
        return self._change_volunteer(volunteer_id, actor, update)

    @rpc
    def commend_volunteer(self, volunteer_id, actor, **command):
        """表扬; enough commendations propose the volunteer as a 志愿服务典型."""
        command = load(schemas.Commend(), command)
        return self._change_volunteer(volunteer_id, actor, lambda v, who, at, tx: v.commend(
            who, at, command["reason"], self.repository.rules(tx.session)))

    def _change_volunteer(self, volunteer_id: str, actor: dict, change) -> dict:
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            volunteer = repository.volunteer(volunteer_id, tx.session)
            change(volunteer, actor, at, tx)
            if volunteer.events:  # nothing happened, nothing to store
                repository.save_volunteer(tx, volunteer)
            return volunteer

        return self._volunteer_view(self.store.transaction(apply))

    @rpc
    def get_volunteer(self, volunteer_id):
        return self._volunteer_view(self.repository.volunteer(volunteer_id))

    @rpc
    def list_volunteers(self, **query):
        query = load(schemas.ListVolunteers(), query)
        volunteers, total = self.repository.list_volunteers(query, self.cipher.fingerprint)
        names = self.repository.team_names()
        return page_of([schemas.present_volunteer(v, names) for v in volunteers], total,
                       query["page"], query["page_size"])

    @rpc
    def reveal_volunteer_personal_data(self, volunteer_id, actor, **command):
        """The phone and ID number in clear, for the volunteer or staff of their community;
        the audit entry (who, when, whose, which fields, why) is written before anything is
        returned."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reveal(), command)
        volunteer = self.repository.volunteer(volunteer_id)
        domain.require_self_or_manager(actor, volunteer.id, volunteer.community,
                                       "查看完整的个人信息")
        wanted = command["fields_"]
        record_reveal(self.store.db, actor, "volunteer", volunteer_id, wanted,
                      command["purpose"])
        revealed = {"id": volunteer.id, "name": volunteer.name}
        if "phone" in wanted:
            revealed["phone"] = _opened(self.cipher, volunteer.phone)
        if "id_number" in wanted:
            revealed["id_number"] = _opened(self.cipher, volunteer.id_number)
        return revealed

    def _volunteer_view(self, volunteer: domain.Volunteer) -> dict:
        return schemas.present_volunteer(volunteer, self.repository.team_names())

    # --- teams and rules ---------------------------------------------------------------------

    @rpc
    def list_teams(self, **query):
        query = load(schemas.ListTeams(), query)
        return self.repository.teams(query["community"], query["include_inactive"])

    @rpc
    def save_team(self, actor, **team):
        """A volunteer team (志愿服务队) of a community, or of the street without one."""
        actor = load(ActorSchema(), actor)
        team = load(schemas.Team(), team)
        domain.require_manager(actor, team["community"], "维护志愿服务队")
        repository = self.repository

        def save(tx):
            # A team that exists is changed only by those who may manage it where it is now:
            # naming your own community does not take over another community's team.
            try:
                existing = repository.team(team["code"], tx.session)
            except NotFound:
                existing = None
            if existing is not None:
                domain.require_manager(actor, existing["community"], "修改志愿服务队")
            repository.save_team(tx, team)

        self.store.transaction(save)
        return repository.team(team["code"])

    @rpc
    def list_skills(self):
        return [{"code": code, "name": name} for code, name in domain.SKILLS.items()]

    @rpc
    def get_recognition_rules(self):
        return self.repository.rules().as_dict()

    @rpc
    def set_recognition_rules(self, actor, **rules):
        """星级 thresholds and exemplar proposals; they apply from each volunteer's next
        credited hours or commendation."""
        actor = load(ActorSchema(), actor)
        rules = load(schemas.RecognitionRules(), rules)
        domain.require_manager(actor, None, "设置星级和典型推荐规则")
        self.store.transaction(lambda tx: self.repository.set_rules(tx, rules))
        return self.get_recognition_rules()

    # --- shifts ------------------------------------------------------------------------------

    @rpc
    def open_shift(self, actor, **shift):
        """发布岗位 by hand: time, place, how many, which skills."""
        actor = load(ActorSchema(), actor)
        details = load(schemas.OpenShift(), shift)
        details.update(kind=domain.MANUAL, starts_at=_instant(details["starts_at"]),
                       ends_at=_instant(details["ends_at"]),
                       organiser=details["organiser"] or details["community"])
        at = clock.now()
        repository = self.repository

        def open_it(tx):
            opened = domain.Shift.open(repository.next_number(tx, "S", at), details, actor, at)
            repository.add_shift(tx, opened)
            return opened

        return schemas.present_shift(self.store.transaction(open_it), at)

    @rpc
    def cancel_shift(self, shift_id, actor, **command):
        command = load(schemas.Reason(), command)
        return self._change_shift(shift_id, actor, lambda s, who, at, tx: s.cancel(
            who, at, command["reason"]))

    @rpc
    def sign_up(self, shift_id, actor, **command):
        """报名 by the volunteer, or by staff for them. Skills, places and overlapping shifts
        are checked."""
        command = load(schemas.VolunteerRef(), command)
        volunteer_id = command["volunteer_id"]
        repository = self.repository

        def sign(shift, who, at, tx):
            repository.lock_schedule(tx, volunteer_id)
            volunteer = repository.volunteer(volunteer_id, tx.session)
            shift.sign_up(volunteer, who, at,
                          repository.overlapping(volunteer_id, shift, tx.session))
        return self._change_shift(shift_id, actor, sign)

    @rpc
    def withdraw_sign_up(self, shift_id, actor, **command):
        command = load(schemas.Withdraw(), command)
        return self._change_shift(shift_id, actor, lambda s, who, at, tx: s.withdraw_sign_up(
            command["volunteer_id"], who, at, command["reason"]))

    @rpc
    def check_in(self, shift_id, actor, **command):
        command = load(schemas.Attendance(), command)
        return self._change_shift(shift_id, actor, lambda s, who, at, tx: s.check_in(
            command["volunteer_id"], who, self._when(command["at"], s, who, at)))

    @rpc
    def check_out(self, shift_id, actor, **command):
        command = load(schemas.Attendance(), command)
        return self._change_shift(shift_id, actor, lambda s, who, at, tx: s.check_out(
            command["volunteer_id"], who, self._when(command["at"], s, who, at)))

    def _when(self, given: datetime | None, shift: domain.Shift, actor: dict,
              at: datetime) -> datetime:
        """Volunteers check in and out by the clock; staff may record a paper sheet's times."""
        if given is None:
            return at
        if not domain.may_manage(actor, shift.community):
            raise exceptions.forbidden("只有工作人员可以补录签到签退时间")
        given = _instant(given)
        if given > at + timedelta(minutes=1):
            raise exceptions.invalid("at", "不能晚于当前时间。")
        return given

    @rpc
    def mark_attended(self, shift_id, actor, **command):
        """确认出勤 in bulk by the organiser; volunteers not signed up are added as walk-ins."""
        command = load(schemas.MarkAttended(), command)
        repository = self.repository

        def mark(shift, who, at, tx):
            walk_ins = {}
            for volunteer_id in command["volunteer_ids"]:
                held = shift.assignment(volunteer_id)
                if held is None or held["status"] not in domain.HOLDING:
                    repository.lock_schedule(tx, volunteer_id)
                    volunteer = repository.volunteer(volunteer_id, tx.session)
                    walk_ins[volunteer_id] = (volunteer, repository.overlapping(
                        volunteer_id, shift, tx.session))
            shift.mark_attended(command["volunteer_ids"], command["hours"], who, at, walk_ins)
        return self._change_shift(shift_id, actor, mark)

    @rpc
    def complete_shift(self, shift_id, actor, **command):
        """完成: everyone who served is credited in the hours ledger, the others are absent."""
        command = load(schemas.Note(), command)
        return self._change_shift(shift_id, actor, lambda s, who, at, tx: s.complete(
            who, at, command["note"]))

    @rpc
    def record_follow_up_visit(self, shift_id, actor, **command):
        """回访 of a completed work order: the answer goes back to repair as an event."""
        command = load(schemas.RecordVisit(), command)
        return self._record_visit(shift_id, actor, command, domain.FOLLOW_UP_VISIT)

    @rpc
    def record_placement_visit(self, shift_id, actor, **command):
        """就业回访 of a placed job seeker: the answer goes to the job service as an event."""
        command = load(schemas.RecordPlacementVisit(), command)
        return self._record_visit(shift_id, actor, command, domain.PLACEMENT_FOLLOW_UP)

    def _record_visit(self, shift_id, actor, command, kind):
        def record(shift, who, at, tx):
            if shift.kind != kind:
                raise exceptions.not_allowed_now(
                    f"岗位“{shift.title}”不是{domain.SHIFT_KINDS[kind]}岗位")
            shift.record_visit(command["volunteer_id"], who, at, command["result"],
                               command["note"])
        return self._change_shift(shift_id, actor, record)

    @timer(interval=AUTO_COMPLETE_INTERVAL_SECONDS)
    def complete_finished_shifts(self):
        """Shifts whose organiser has not completed them some days after they ended are
        completed by the system, so that check-outs reach the ledger. Safe with several
        processes: each completion re-reads the shift in its transaction."""
        after = self._auto_complete_after()
        at = clock.now()
        completed = []
        for shift_id in self.repository.due_for_completion(at - after, limit=100):
            def complete(shift, who, at, tx):
                if shift.needs_auto_completion(at, after):
                    shift.complete(who, at)
            try:
                view = self._change_shift(shift_id, SYSTEM, complete)
            except Exception:  # one bad shift must not hold up the rest; the next tick retries
                log.exception("could not complete shift %s", shift_id)
                continue
            if view["completed_at"] and view["completed_at"] >= clock.iso(at):
                completed.append(shift_id)
        return completed

    def _auto_complete_after(self) -> timedelta:
        return timedelta(hours=float(self.config.get("VOLUNTEER_AUTO_COMPLETE_HOURS", 72)))

    def _change_shift(self, shift_id: str, actor: dict, change) -> dict:
        """Load the shift, apply one domain step, store it with its events, and credit the
        hours the step settled."""
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            shift = repository.shift(shift_id, tx.session)
            steps = len(shift.history)
            change(shift, actor, at, tx)
            if len(shift.history) == steps and not shift.events:
                return shift
            self._credit(tx, shift, actor, at)
            repository.save_shift(tx, shift)
            return shift

        return schemas.present_shift(self.store.transaction(apply), at)

    def _credit(self, tx, shift: domain.Shift, recorder: dict, at: datetime) -> None:
        """Ledger entries for the hours a shift step settled: organiser = the shift's
        organiser, recorder = whoever completed it."""
        repository = self.repository
        rules = repository.rules(tx.session)
        activity_id = (shift.source or {}).get("activity_id")
        for credit in shift.credits:
            if repository.has_entry(credit["key"], tx.session):
                continue
            volunteer = repository.volunteer(credit["volunteer_id"], tx.session)
            entry = ledger.ledger_entry(
                repository.new_entry_id(), credit["key"], volunteer, credit["date"],
                credit["content"], credit["hours"], shift.organiser, recorder, at,
                {"kind": "shift", "shift_id": shift.id, "activity_id": activity_id},
                credit["skills"])
            self._write_entry(tx, entry, volunteer, rules, at)
            shift.link_entry(volunteer.id, entry["id"])
        shift.credits = []

    def _write_entry(self, tx, entry: dict, volunteer: domain.Volunteer,
                     rules: domain.RecognitionRules, at: datetime) -> None:
        """One ledger entry, the volunteer's totals and recognition, figures and events."""
        self.repository.add_entry(tx, entry)
        volunteer.credit(entry["hours"], entry["date"], at, rules,
                         counts_as_service=entry["corrects"] is None)
        tx.emit(*ledger.credited_event(entry, volunteer.total_hours))
        self.repository.save_volunteer(tx, volunteer)

    @rpc
    def get_shift(self, shift_id):
        return schemas.present_shift(self.repository.shift(shift_id), clock.now())

    @rpc
    def list_shifts(self, **query):
        query = load(schemas.ListShifts(), query)
        for name in ("starts_from", "starts_to"):
            if query[name]:
                query[name] = _instant(query[name])
        at = clock.now()
        shifts, total = self.repository.list_shifts(query, at)
        return page_of([schemas.present_shift(s, at) for s in shifts], total, query["page"],
                       query["page_size"])

    @rpc
    def suggest_volunteers(self, shift_id, **query):
        """Who could take a shift: active, with the skills, of the community where required,
        free at the time; those usually available then come first."""
        query = load(schemas.Suggest(), query)
        repository = self.repository
        shift = repository.shift(shift_id)
        names = repository.team_names()
        return [{**schemas.present_volunteer(v, names), "usually_available": preferred}
                for v, preferred in repository.candidates(
                    shift, repository.busy_volunteers(shift), query["limit"])]

    # --- corrections -------------------------------------------------------------------------

    @rpc
    def request_correction(self, actor, **command):
        """A volunteer asks the organiser to correct recorded attendance or hours."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.RequestCorrection(), command)
        at = clock.now()
        repository = self.repository

        def request(tx):
            volunteer = repository.volunteer(command["volunteer_id"], tx.session)
            shift_id, hours = command["shift_id"], command["hours"]
            if command["entry_id"]:
                entry = repository.entry(command["entry_id"], tx.session)
                if entry["volunteer_id"] != volunteer.id:
                    raise exceptions.entry_not_found(command["entry_id"])
                root = entry["corrects"] or entry["id"]
                shift_id = repository.entry(root, tx.session)["source"].get("shift_id")
            if shift_id:  # attendance on a shift is corrected on the shift
                shift = repository.shift(shift_id, tx.session)
                old, new = shift.correction_values(
                    volunteer.id, _instant(command["check_in_at"]),
                    _instant(command["check_out_at"]), hours)
                target = {"kind": "shift", "shift_id": shift.id}
                community, organiser = shift.community, shift.organiser
            else:
                old = {"hours": repository.net_hours(root, tx.session)}
                new = {"hours": hours}
                if old == new:
                    raise exceptions.invalid("hours", "更正后的值与现有记录相同。")
                target = {"kind": "entry", "entry_id": root}
                original = repository.entry(root, tx.session)
                community, organiser = original["community"], original["organiser"]
            correction = domain.Correction.request(repository.next_number(tx, "C", at), {
                "volunteer_id": volunteer.id, "volunteer_name": volunteer.name,
                "community": community, "organiser": organiser, "target": target,
                "old": old, "new": new, "reason": command["reason"]}, actor, at)
            pending = repository.pending_correction(correction.target_key, tx.session)
            if pending:
                raise exceptions.correction_pending(pending)
            repository.add_correction(tx, correction)
            return correction

        return schemas.present_correction(self.store.transaction(request))

    @rpc
    def approve_correction(self, correction_id, actor, **command):
        """The organiser approves: the attendance is corrected and, if the hours were
        already credited, a correction entry with the difference is written to the ledger."""
        command = load(schemas.Note(), command)
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def approve(tx):
            correction = repository.correction(correction_id, tx.session)
            correction.approve(actor, at, command["note"])
            volunteer = repository.volunteer(correction.volunteer_id, tx.session)
            rules = repository.rules(tx.session)
            source = {"kind": "correction", "correction_id": correction.id}
            if correction.target["kind"] == "shift":
                shift = repository.shift(correction.target["shift_id"], tx.session)
                delta = shift.apply_correction(volunteer.id, correction.id, correction.old,
                                               correction.new, actor, at)
                if delta:
                    entry = self._correction_entry(tx, shift, volunteer, delta, actor, at,
                                                   source)
                    self._write_entry(tx, entry, volunteer, rules, at)
                    shift.link_entry(volunteer.id, entry["id"])
                    correction.entry_id = entry["id"]
                repository.save_shift(tx, shift)
            else:
                root = repository.entry(correction.target["entry_id"], tx.session)
                delta = round(correction.new["hours"] -
                              repository.net_hours(root["id"], tx.session), 2)
                if delta:
                    entry = ledger.ledger_entry(
                        repository.new_entry_id(), f"correction:{correction.id}", volunteer,
                        root["date"], root["content"], delta, root["organiser"], actor, at,
                        {**source, "activity_id": root["source"].get("activity_id")},
                        root["skills"], corrects=root["id"], note=correction.reason)
                    self._write_entry(tx, entry, volunteer, rules, at)
                    correction.entry_id = entry["id"]
            repository.save_correction(tx, correction)
            return correction

        return schemas.present_correction(self.store.transaction(approve))

    def _correction_entry(self, tx, shift, volunteer, delta, actor, at, source) -> dict:
        """The entry an approved shift correction writes: a correction of the credited entry,
        or the first credit of someone recorded absent."""
        repository = self.repository
        assignment = shift.assignment(volunteer.id)
        root_id = assignment["entry_ids"][0] if assignment["entry_ids"] else None
        if root_id is None:
            existing = repository.entry_by_key(shift.credit_key(volunteer.id), tx.session)
            root_id = existing["id"] if existing else None
        activity_id = (shift.source or {}).get("activity_id")
        if root_id is None:
            served_on = clock.local_date(assignment["check_in_at"] or shift.starts_at)
            return ledger.ledger_entry(
                repository.new_entry_id(), shift.credit_key(volunteer.id), volunteer,
                served_on.isoformat(), shift.title, delta, shift.organiser, actor, at,
                {"kind": "shift", "shift_id": shift.id, "activity_id": activity_id},
                [s for s in shift.skills if s in volunteer.skills])
        root = repository.entry(root_id, tx.session)
        return ledger.ledger_entry(
            repository.new_entry_id(), f"correction:{source['correction_id']}", volunteer,
            root["date"], root["content"], delta, root["organiser"], actor, at,
            {**source, "shift_id": shift.id, "activity_id": activity_id}, root["skills"],
            corrects=root_id)

    @rpc
    def reject_correction(self, correction_id, actor, **command):
        command = load(schemas.Reason(), command)
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def reject(tx):
            correction = repository.correction(correction_id, tx.session)
            correction.reject(actor, at, command["reason"])
            repository.save_correction(tx, correction)
            return correction

        return schemas.present_correction(self.store.transaction(reject))

    @rpc
    def get_correction(self, correction_id):
        return schemas.present_correction(self.repository.correction(correction_id))

    @rpc
    def list_corrections(self, **query):
        query = load(schemas.ListCorrections(), query)
        corrections, total = self.repository.list_corrections(query)
        return page_of([schemas.present_correction(c) for c in corrections], total,
                       query["page"], query["page_size"])

    # --- the hours ledger --------------------------------------------------------------------

    @rpc
    def record_hours(self, actor, **command):
        """补录: the organiser records service done outside a shift."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.RecordHours(), command)
        domain.require_staff(actor, "补录志愿服务时长")
        at = clock.now()
        repository = self.repository

        def record(tx):
            volunteer = repository.volunteer(command["volunteer_id"], tx.session)
            if not volunteer.can_be_credited():
                raise exceptions.not_serving(volunteer.name,
                                             domain.VOLUNTEER_STATE_NAMES[volunteer.state])
            if command["date"] > clock.local_date(at):
                raise exceptions.invalid("date", "服务日期不能晚于今天。")
            entry_id = repository.new_entry_id()
            entry = ledger.ledger_entry(
                entry_id, f"manual:{entry_id}", volunteer, command["date"].isoformat(),
                command["content"], command["hours"], command["organiser"], actor, at,
                {"kind": "manual"}, note=command["note"])
            self._write_entry(tx, entry, volunteer, repository.rules(tx.session), at)
            return entry_id

        return schemas.present_entry(repository.entry(self.store.transaction(record)))

    @rpc
    def get_ledger_entry(self, entry_id):
        return schemas.present_entry(self.repository.entry(entry_id))

    @rpc
    def list_ledger_entries(self, **query):
        query = load(schemas.ListEntries(), query)
        entries, total = self.repository.list_entries(query)
        return page_of([schemas.present_entry(e) for e in entries], total, query["page"],
                       query["page_size"])

    @rpc
    def volunteer_hours(self, volunteer_id, **query):
        """A volunteer's hours: all-time, in a period and by month, and the next star."""
        query = load(schemas.VolunteerHours(), query)
        volunteer = self.repository.volunteer(volunteer_id)
        first, last = month_range(query["period"], query["from_month"], query["to_month"])
        months = [{"month": row["_id"], "hours": round(row["hours"], 2),
                   "services": row["services"]}
                  for row in self.repository.hours_by_month(volunteer_id, first, last)]
        return schemas.present_hours(volunteer, months, self.repository.rules(), first, last)

    # --- certificates ------------------------------------------------------------------------

    @rpc
    def issue_certificate(self, actor, **command):
        """志愿服务记录证明 over a period, by the body that organised and recorded the service:
        only that body's entries count."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.IssueCertificate(), command)
        at = clock.now()
        repository = self.repository

        def issue(tx):
            volunteer = repository.volunteer(command["volunteer_id"], tx.session)
            entries = repository.entries_of(
                volunteer.id, command["issuer"], command["from_date"].isoformat(),
                command["to_date"].isoformat(), tx.session)
            year = clock.local_date(at).year
            cert = ledger.certificate(
                "", volunteer, command["issuer"], command["from_date"], command["to_date"],
                entries, actor, at)
            cert["number"] = ledger.certificate_number(
                year, repository.next_certificate_sequence(tx, year),
                "".join(secrets.choice(ledger.CHECK_ALPHABET) for _ in range(4)))
            repository.add_certificate(tx, cert)
            tx.emit(*ledger.certificate_issued_event(cert, actor))
            return cert

        return schemas.present_certificate(self.store.transaction(issue))

    @rpc
    def get_certificate(self, number):
        return schemas.present_certificate(self.repository.certificate(number))

    @rpc
    def verify_certificate(self, number):
        """For anyone holding a certificate: is this number real and valid, and what does
        it certify."""
        return schemas.verification(self.repository.certificate(number.strip().upper()))

    @rpc
    def render_certificate(self, number):
        """The certificate as a complete, printable HTML page (the gateway serves it)."""
        view = schemas.present_certificate(self.repository.certificate(number))
        return {"number": view["number"], "content_type": "text/html; charset=utf-8",
                "filename": f"{view['number']}.html", "html": certificate.render(view)}

    @rpc
    def revoke_certificate(self, number, actor, **command):
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reason(), command)
        at = clock.now()
        repository = self.repository

        def revoke(tx):
            doc = repository.certificate(number, tx.session)
            tx.emit(*ledger.revoke_certificate(doc, actor, at, command["reason"]))
            repository.save_certificate(tx, doc)
            return doc

        return schemas.present_certificate(self.store.transaction(revoke))

    @rpc
    def list_certificates(self, **query):
        query = load(schemas.ListCertificates(), query)
        certificates, total = self.repository.list_certificates(query)
        return page_of([schemas.present_certificate(c) for c in certificates], total,
                       query["page"], query["page_size"])

    # --- figures -----------------------------------------------------------------------------

    @rpc
    def volunteer_statistics(self, **query):
        """Volunteers (by state, star and skill), new registrations, hours, services and
        distinct volunteers who served, for a period, optionally grouped."""
        query = load(schemas.Statistics(), query)
        first, last = month_range(query["period"], query["from_month"], query["to_month"])
        group_by = tuple(query["group_by"])
        repository = self.repository
        community, team = query["community"], query["team"]
        served_total, served_groups = self._served(query, first, last, group_by)
        result = figures.roll_up(
            repository.snapshot_rows(community, team),
            repository.monthly_rows(first, last, community, team),
            served_total, served_groups, group_by, query["skill"])
        result["period"] = {"from_month": first, "to_month": last}
        return result

    def _served(self, query, first, last, group_by):
        """Distinct volunteers who served: read from counters for a month, quarter, year or
        all time; counted from the monthly markers for any other range."""
        if query["skill"] or "skill" in group_by:
            return None, None
        repository = self.repository
        community, team = query["community"], query["team"]
        key = query["period"] or ("all" if not first and not last else
                                  first if first == last else None)
        if key:
            rows = repository.served_rows([key], community, team)
        else:
            rows = repository.served_distinct(first, last, (), community, team)
        total = sum(r["served"] for r in rows)
        if not group_by:
            return total, None
        if "month" in group_by:
            rows = repository.served_month_rows(first, last, community, team)
        elif key:
            rows = repository.served_rows([key], community, team)
        else:
            rows = repository.served_distinct(first, last, group_by, community, team)
        groups: dict = {}
        for row in rows:
            group = tuple(row[d] for d in group_by)
            groups[group] = groups.get(group, 0) + row["served"]
        return total, groups

    # --- what other services tell us ---------------------------------------------------------

    @handle_event(ACTIVITY_PUBLISHED)
    def open_activity_shift(self, event):
        """An activity with volunteer slots opens a shift; published again, it updates it."""
        data = event.data
        at = clock.now()
        repository = self.repository
        organiser = {"id": "activity", "name": data["organiser"], "role": "system"}

        def work(tx):
            repository.remember_activity(tx, data)
            details = domain.activity_shift(data)
            shift = repository.shift_by_source(details["source_key"], tx.session)
            if shift is not None:
                if shift.state != domain.OPEN:
                    return
                if details["needed"] <= 0:
                    shift.cancel(organiser, at, "活动不再需要志愿者")
                else:
                    shift.reschedule({k: details[k] for k in RESCHEDULED}, organiser, at)
                repository.save_shift(tx, shift)
            elif details["needed"] > 0:
                repository.add_shift(tx, domain.Shift.open(
                    repository.next_number(tx, "S", at), details, organiser, at))

        self.store.transaction(work)

    @handle_event(ACTIVITY_CANCELLED)
    def cancel_activity_shift(self, event):
        data = event.data
        at = clock.now()
        repository = self.repository

        def work(tx):
            shift = repository.shift_by_source(f"activity:{data['activity_id']}", tx.session)
            if shift is not None and shift.state == domain.OPEN:
                shift.cancel({"id": "activity", "name": "活动组织方", "role": "system"}, at,
                             f"活动已取消:{data['reason']}")
                repository.save_shift(tx, shift)

        self.store.transaction(work)

    @handle_event(ACTIVITY_FINISHED)
    def credit_activity_hours(self, event):
        """Volunteers checked in on the activity's shift, and those on its check-in list with
        a volunteer id, are credited once; the organiser is the activity's."""
        data = event.data
        at = clock.now()
        repository = self.repository
        activity_id = data["activity_id"]
        listed = {p["volunteer_id"] for p in data["checked_in"] if p.get("volunteer_id")}

        def work(tx):
            shift = repository.shift_by_source(f"activity:{activity_id}", tx.session)
            known = repository.activity(activity_id, tx.session) or {}
            organiser = (shift.organiser if shift else known.get("organiser")
                         or data["community"])
            recorder = {"id": "activity", "name": f"{organiser}(活动签到)", "role": "system"}
            rules = repository.rules(tx.session)
            holders = set()
            if shift is not None:
                holders = {a["volunteer_id"] for a in shift.holding()}
                if shift.state == domain.OPEN and data["hours"] > 0:
                    shift.finish_activity(listed, data["hours"], recorder, at)
                    self._credit(tx, shift, recorder, at)
                    repository.save_shift(tx, shift)
            served_on = clock.local_date(clock.parse_iso(data["starts_at"])).isoformat()
            for volunteer_id in sorted(listed):
                key = f"activity:{activity_id}:{volunteer_id}"
                if data["hours"] <= 0 or repository.has_entry(key, tx.session):
                    continue
                found = repository.volunteers_by_id([volunteer_id], tx.session)
                volunteer = found.get(volunteer_id)
                if volunteer is None or not volunteer.can_be_credited():
                    log.warning("activity %s: no volunteer %s to credit", activity_id,
                                volunteer_id)
                    continue
                entry = ledger.ledger_entry(
                    repository.new_entry_id(), key, volunteer, served_on, data["title"],
                    data["hours"], organiser, recorder, at,
                    {"kind": "activity", "activity_id": activity_id,
                     "shift_id": shift.id if shift and volunteer_id in holders else None})
                self._write_entry(tx, entry, volunteer, rules, at)

        self.store.transaction(work)

    @handle_event(WORK_ORDER_COMPLETED)
    def open_follow_up_visit(self, event):
        """A completed work order asks for a 回访 by one volunteer of its community."""
        data = event.data
        at = clock.now()
        repository = self.repository
        actor = {"id": "repair", "name": data["actor_name"], "role": "system"}

        def work(tx):
            details = domain.follow_up_visit_shift(data)
            if repository.shift_by_source(details["source_key"], tx.session):
                return
            for stale in repository.open_visits_for_work_order(data["number"], tx.session):
                stale.cancel(actor, at, "工单再次办结,改为新的回访")
                repository.save_shift(tx, stale)
            repository.add_shift(tx, domain.Shift.open(
                repository.next_number(tx, "S", at), details, actor, at))

        self.store.transaction(work)

    @handle_event(WORK_ORDER_FOLLOWED_UP)
    def close_visits_followed_up_by_staff(self, event):
        """Staff recorded the follow-up themselves: an open visit is no longer needed."""
        self._cancel_visits(event.data, "工作人员已完成回访,无需志愿者回访")

    @handle_event(WORK_ORDER_REOPENED)
    def close_visits_of_reopened_order(self, event):
        self._cancel_visits(event.data, "工单已重办,待再次办结后回访")

    def _cancel_visits(self, data: dict, reason: str) -> None:
        at = clock.now()
        repository = self.repository
        actor = {"id": "repair", "name": data["actor_name"], "role": "system"}

        def work(tx):
            for shift in repository.open_visits_for_work_order(data["number"], tx.session):
                shift.cancel(actor, at, reason)
                repository.save_shift(tx, shift)

        self.store.transaction(work)

    @handle_event(PLACEMENT_FOLLOW_UP_DUE)
    def open_placement_visit(self, event):
        """A placement follow-up (1, 3 or 6 months) becomes a visit for one volunteer of the
        community."""
        data = event.data
        at = clock.now()
        repository = self.repository
        actor = {"id": "job", "name": "就业服务站", "role": "system"}

        def work(tx):
            details = domain.placement_visit_shift(data)
            if repository.shift_by_source(details["source_key"], tx.session) is None:
                repository.add_shift(tx, domain.Shift.open(
                    repository.next_number(tx, "S", at), details, actor, at))

        self.store.transaction(work)

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)


def _instant(moment: datetime | None) -> datetime | None:
    """UTC, to the millisecond as MongoDB keeps it, so what we hold equals what we stored."""
    if moment is None:
        return None
    moment = clock.as_utc(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _opened(cipher, protected: dict | None) -> str | None:
    return cipher.open(protected["sealed"]) if protected else None

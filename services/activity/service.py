"""The activity service: themed civic activities (主题活动) at the communities' venues, with
registration, check-in at the door, exemplars (先进典型) and the figures they add up to.

Entrypoints and wiring only: input is loaded through `schemas`, rules live in `domain` (and
`exemplars`, `scheduling`), storage in `repository`. Every change runs in one transaction with
the events it causes.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.activity import domain, exceptions, exemplars, schemas
from services.activity.repository import (INDEXES, ROOMS, VENUES, ActivityRepository)
from services.activity.scheduling import occurrences, parse_hhmm
from shared import clock
from shared.errors import Conflict, ValidationFailed
from shared.events.job import TRAINING_REQUESTED
from shared.events.volunteer import VOLUNTEER_EXEMPLAR_PROPOSED
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData, mask_phone, record_reveal
from shared.schemas import ActorSchema, load, month_range, page_of
from shared.storage import MongoStore

log = logging.getLogger(__name__)

SYSTEM = {"id": "activity", "name": "系统", "role": "system", "community": None}
TIMER_INTERVAL_SECONDS = 30
TIMER_BATCH = 200


class ActivityService:
    name = "activity"

    store = MongoStore(INDEXES)
    config = Config()
    cipher = PersonalData()

    @property
    def repository(self) -> ActivityRepository:
        return ActivityRepository(self.store.db)

    # --- venues and rooms (场地, 功能室) ----------------------------------------------------------

    @rpc
    def save_venue(self, actor, **venue):
        """Add a venue (no `venue_id`) or change one."""
        actor = load(ActorSchema(), actor)
        venue = load(schemas.Venue(), venue)
        domain.authorise(actor, "manage", venue["community"], "登记或修改场地")
        given_id = venue.pop("venue_id")
        at = clock.now()
        repository = self.repository

        def save(tx):  # may run more than once (transaction retries): reads only
            venue_id = given_id
            if venue_id:
                existing = repository.venue(venue_id, tx.session, active_only=False)
                domain.authorise(actor, "manage", existing["community"], "修改场地")
            else:
                venue_id = repository.next_ids(tx, "V", width=3)[0]
            if repository.name_taken(VENUES, {"community": venue["community"]}, venue["name"],
                                     venue_id, tx.session):
                raise exceptions.exists(f"{venue['community'] or '街道'}的场地“{venue['name']}”")
            repository.save_venue(tx, {**venue, "id": venue_id}, at)
            return venue_id

        venue_id = self.store.transaction(save)
        return schemas.present_venue(repository.venue_with_rooms(venue_id))

    @rpc
    def save_room(self, actor, **room):
        """Add a room to a venue (no `room_id`) or change one."""
        actor = load(ActorSchema(), actor)
        room = load(schemas.Room(), room)
        given_id = room.pop("room_id")
        at = clock.now()
        repository = self.repository

        def save(tx):
            venue = repository.venue(room["venue_id"], tx.session, active_only=False)
            domain.authorise(actor, "manage", venue["community"], "登记或修改功能室")
            room_id = given_id
            if room_id:
                existing = repository.room(room_id, tx.session, active_only=False)
                if existing["venue_id"] != venue["id"]:
                    raise exceptions.invalid("venue_id", "功能室不能搬到另一处场地。")
            else:
                room_id = repository.next_ids(tx, f"{venue['id']}-R", width=2)[0]
            if repository.name_taken(ROOMS, {"venue_id": venue["id"]}, room["name"], room_id,
                                     tx.session):
                raise exceptions.exists(f"“{venue['name']}”的功能室“{room['name']}”")
            repository.save_room(tx, {**room, "id": room_id, "community": venue["community"]},
                                 at)
            return venue["id"]

        venue_id = self.store.transaction(save)
        return schemas.present_venue(repository.venue_with_rooms(venue_id))

    @rpc
    def get_venue(self, venue_id):
        return schemas.present_venue(self.repository.venue_with_rooms(venue_id))

    @rpc
    def list_venues(self, **query):
        query = load(schemas.VenueQuery(), query)
        return [schemas.present_venue(v) for v in self.repository.venues(
            query["community"], query["kind"], query["include_inactive"])]

    @rpc
    def list_bookings(self, **query):
        """What is booked where and when: the calendar staff plan by."""
        query = load(schemas.BookingQuery(), query)
        query["from"] = query.pop("from_")
        return self.repository.bookings(query)

    # --- activities ----------------------------------------------------------------------------

    @rpc
    def create_activity(self, actor, **details):
        """A draft activity; with a place and times it books the room at once."""
        actor = load(ActorSchema(), actor)
        details = load(schemas.CreateActivity(), details)
        domain.authorise(actor, "manage", details["community"], "创建活动")
        venue_id, room_id = details.pop("venue_id"), details.pop("room_id")
        at = clock.now()
        repository = self.repository

        def create(tx):
            place = repository.place(venue_id, room_id, tx.session)
            activity = domain.Activity.create(repository.next_activity_ids(tx, at)[0], details,
                                              place, actor, at)
            repository.add(tx, activity)
            return activity

        return schemas.present_activity(self.store.transaction(create), at)

    @rpc
    def record_held_activity(self, actor, **record):
        """补录: an activity held before it was recorded here, with its attendance from the
        sign-in sheet; its figures fall in the month it was held and the volunteers who
        served are credited by the volunteer service, as for any finished activity."""
        actor = load(ActorSchema(), actor)
        record = load(schemas.RecordHeldActivity(), record)
        domain.authorise(actor, "manage", record["community"], "补录活动")
        held = {k: record.pop(k) for k in ("reason", "registered", "attendance", "walk_ins",
                                           "volunteers", "minutes", "photo_urls")}
        venue_id, room_id = record.pop("venue_id"), record.pop("room_id")
        at = clock.now()
        repository = self.repository

        def create(tx):
            place = repository.place(venue_id, room_id, tx.session)
            activity = domain.Activity.record_held(
                repository.next_activity_ids(tx, at)[0], record, place, actor, at, held)
            repository.add(tx, activity)
            return activity

        return schemas.present_activity(self.store.transaction(create), at)

    @rpc
    def create_activity_series(self, actor, **details):
        """A recurring series (every Saturday for 8 weeks): one draft activity per date, all or
        none — a clash on any date refuses the series and names every clash."""
        actor = load(ActorSchema(), actor)
        details = load(schemas.CreateSeries(), details)
        domain.authorise(actor, "manage", details["community"], "创建系列活动")
        rule = details.pop("recurrence")
        venue_id, room_id = details.pop("venue_id"), details.pop("room_id")
        dates = occurrences(rule["start_date"], parse_hhmm(rule["start_time"]),
                            parse_hhmm(rule["end_time"]), rule["weekdays"],
                            rule["interval_weeks"], rule["count"], rule["until"],
                            rule["exclude_dates"])
        if not dates:
            raise exceptions.invalid("recurrence", "按此规则没有任何活动日期。")
        at = clock.now()
        repository = self.repository
        recurrence = {**rule, "start_date": rule["start_date"].isoformat(),
                      "until": rule["until"] and rule["until"].isoformat(),
                      "exclude_dates": [d.isoformat() for d in rule["exclude_dates"]]}

        def create(tx):
            place = repository.place(venue_id, room_id, tx.session)
            series_id = repository.next_ids(tx, f"SR{clock.local_date(at):%Y%m%d}",
                                            width=2)[0]
            ids = repository.next_activity_ids(tx, at, len(dates))
            created, clashes, problems = [], [], {}
            for activity_id, (starts_at, ends_at) in zip(ids, dates):
                try:
                    activity = domain.Activity.create(activity_id, {
                        **details, "starts_at": starts_at, "ends_at": ends_at,
                        "series_id": series_id}, place, actor, at)
                    repository.add(tx, activity)
                    created.append(activity)
                except Conflict as clash:
                    clashes.append(clash.message)
                except ValidationFailed as invalid:
                    for messages in invalid.fields.values():
                        problems.setdefault(f"{starts_at:%Y-%m-%d}", []).extend(messages)
            if problems:
                raise ValidationFailed(fields={"recurrence": problems})
            if clashes:
                raise Conflict(";".join(clashes), code="ROOM_BOOKED",
                               fields={"recurrence": clashes})
            repository.add_series(tx, {
                "_id": series_id, "title": details["title"], "community": details["community"],
                "recurrence": recurrence, "activity_ids": ids, "created_at": at,
                "created_by": {k: actor.get(k) for k in ("id", "name", "role")}})
            return series_id, created

        series_id, created = self.store.transaction(create)
        return schemas.present_series(repository.series(series_id), created)

    @rpc
    def get_series(self, series_id):
        repository = self.repository
        return schemas.present_series(repository.series(series_id),
                                      repository.in_series(series_id))

    @rpc
    def publish_series(self, series_id, actor):
        """Publish every draft of the series still to come."""
        actor = load(ActorSchema(), actor)
        return self._change_series(series_id, actor, "发布系列活动", lambda a, at: (
            a.state == domain.DRAFT and a.starts_at > at), lambda a, at: a.publish(actor, at))

    @rpc
    def cancel_series(self, series_id, actor, **command):
        """Cancel every activity of the series that has not started."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reason(), command)
        return self._change_series(
            series_id, actor, "取消系列活动",
            lambda a, at: a.state in domain.NOT_STARTED and (a.starts_at is None
                                                             or a.starts_at > at),
            lambda a, at: a.cancel(actor, at, command["reason"]))

    def _change_series(self, series_id, actor, label, applies, change):
        at = clock.now()
        repository = self.repository

        def apply(tx):
            series = repository.series(series_id, tx.session)
            domain.authorise(actor, "manage", series["community"], label)
            activities = repository.in_series(series_id, tx.session)
            for activity in activities:
                if applies(activity, at):
                    change(activity, at)
                    repository.save(tx, activity)
            return series, activities

        series, activities = self.store.transaction(apply)
        return schemas.present_series(series, activities)

    @rpc
    def update_activity(self, activity_id, actor, **changes):
        """Change a draft or published activity; a published one tells the other services
        (activity_updated) when its time, place, title or volunteer slots change."""
        changes = load(schemas.UpdateActivity(), changes)
        repository = self.repository

        def update(activity, who, at, tx):
            place = None
            if any(k in changes for k in ("venue_id", "room_id", "starts_at", "ends_at",
                                          "capacity")):
                venue_id = changes.get("venue_id", (activity.venue or {}).get("id"))
                room_id = changes.get("room_id",
                                      None if "venue_id" in changes
                                      else (activity.room or {}).get("id"))
                place = repository.place(venue_id, room_id, tx.session)
            activity.update(who, at, changes, place)
            self._promote(tx, activity, at)
        return self._change(activity_id, actor, update, "修改活动")

    @rpc
    def publish_activity(self, activity_id, actor):
        return self._change(activity_id, actor,
                            lambda activity, who, at, tx: activity.publish(who, at), "发布活动")

    @rpc
    def cancel_activity(self, activity_id, actor, **command):
        """Frees the room; registrations end as 活动已取消."""
        command = load(schemas.Reason(), command)
        return self._change(activity_id, actor, lambda activity, who, at, tx: activity.cancel(
            who, at, command["reason"]), "取消活动")

    @rpc
    def finish_activity(self, activity_id, actor, **command):
        """End it with minutes; attendance is counted from the check-ins."""
        command = load(schemas.Finish(), command)
        repository = self.repository

        def finish(activity, who, at, tx):
            activity.finish(who, at, command["minutes"], command["photo_urls"],
                            repository.checked_in(activity.activity_id, tx.session))
        return self._change(activity_id, actor, finish, "结束活动")

    @rpc
    def record_minutes(self, activity_id, actor, **command):
        command = load(schemas.Minutes(), command)
        return self._change(activity_id, actor, lambda activity, who, at, tx: (
            activity.record_minutes(who, at, command["minutes"], command["photo_urls"])),
            "补充活动纪要")

    @rpc
    def feature_exemplar(self, activity_id, actor, **command):
        """Show a published exemplar at the activity (展板, 事迹分享, 情景讲述)."""
        command = load(schemas.Feature(), command)
        repository = self.repository

        def feature(activity, who, at, tx):
            exemplar = repository.exemplar(command["exemplar_id"], tx.session)
            activity.feature(who, at, exemplar, command["form"], command["note"])
        return self._change(activity_id, actor, feature, "安排先进典型展示")

    @rpc
    def unfeature_exemplar(self, activity_id, actor, **command):
        command = load(schemas.Unfeature(), command)
        return self._change(activity_id, actor, lambda activity, who, at, tx: (
            activity.unfeature(who, at, command["exemplar_id"])), "撤下先进典型展示")

    @timer(interval=TIMER_INTERVAL_SECONDS)
    def advance_activities(self):
        """Published activities whose start has come become ongoing; those not finished by
        hand are finished AUTO_FINISH_AFTER their end. Each activity is checked again inside
        its own transaction, so several processes running this at once change it once."""
        at = clock.now()
        changed = []
        for due in self.repository.due(at, TIMER_BATCH):
            try:
                changed.append(self._advance(due.activity_id))
            except Exception:  # one bad activity must not hold up the rest
                log.exception("could not advance activity %s", due.activity_id)
        return [c for c in changed if c]

    def _advance(self, activity_id: str) -> str | None:
        repository = self.repository
        at = clock.now()

        def advance(tx):
            activity = repository.get(activity_id, tx.session)
            if activity.due_to_finish(at):
                activity.finish(SYSTEM, at, None, [],
                                repository.checked_in(activity_id, tx.session), automatic=True)
            elif activity.due_to_start(at):
                activity.start(SYSTEM, at)
            else:
                return None  # another process got there first
            repository.save(tx, activity)
            return f"{activity_id}:{activity.state}"

        return self.store.transaction(advance)

    def _change(self, activity_id: str, actor: dict, change, label: str) -> dict:
        """Load the activity, check who may, apply one domain step, store it with its booking,
        events and figures."""
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            activity = repository.get(activity_id, tx.session)
            domain.authorise(actor, "manage", activity.community, label)
            change(activity, actor, at, tx)
            repository.save(tx, activity)
            return activity

        return schemas.present_activity(self.store.transaction(apply), at)

    def _promote(self, tx, activity: domain.Activity, at: datetime) -> list:
        """Give freed places to the waitlist, oldest first."""
        repository = self.repository
        promoted = repository.waitlisted(activity.activity_id, activity.places_to_promote(),
                                         tx.session) if activity.places_to_promote() else []
        for registration in promoted:
            activity.promote(registration, at)
            repository.save_registration(tx, registration)
        return promoted

    # --- reading activities --------------------------------------------------------------------

    @rpc
    def get_activity(self, activity_id):
        return schemas.present_activity(self.repository.get(activity_id), clock.now())

    @rpc
    def list_activities(self, **query):
        query = load(schemas.ListActivities(), query)
        at = clock.now()
        activities, total = self.repository.list(query, at)
        return page_of([schemas.present_activity(a, at) for a in activities], total,
                       query["page"], query["page_size"])

    @rpc
    def list_reference_data(self):
        """Codes and their Chinese names: themes, festivals, target groups, venue and room
        kinds, exemplar categories, forms of featuring, states."""
        def coded(names):
            return [{"code": code, "name": name} for code, name in names.items()]
        return {"themes": coded(domain.THEMES), "festivals": coded(domain.FESTIVALS),
                "target_groups": coded(domain.TARGET_GROUPS),
                "venue_kinds": coded(domain.VENUE_KINDS), "room_kinds": coded(domain.ROOM_KINDS),
                "exemplar_categories": coded(exemplars.CATEGORIES),
                "feature_forms": coded(domain.FEATURE_FORMS),
                "volunteer_skills": coded(domain.VOLUNTEER_SKILLS),
                "activity_states": coded(domain.STATE_NAMES),
                "registration_statuses": coded(domain.REGISTRATION_STATUS_NAMES),
                "exemplar_states": coded(exemplars.STATE_NAMES)}

    # --- registration and check-in -------------------------------------------------------------

    @rpc
    def register(self, activity_id, actor, **person):
        """A resident registers (or staff register someone): a place while there is one,
        else the waitlist. The same phone cannot register twice for one activity."""
        actor = load(ActorSchema(), actor)
        person = load(schemas.Register(), person)
        phone = self.cipher.protect(person["phone"], mask_phone)
        at = clock.now()
        repository = self.repository

        def register(tx):
            activity = repository.get(activity_id, tx.session)
            domain.authorise(actor, "register", activity.community, "报名")
            registration = domain.Registration(
                registration_id="", activity_id=activity_id, name=person["name"],
                code=self._new_code(activity_id, tx), registered_at=at,
                registered_by={k: actor.get(k) for k in ("id", "name", "role")},
                phone=phone, volunteer_id=person["volunteer_id"], note=person["note"])
            if repository.registration_by_key(registration.dedupe_key, tx.session):
                raise exceptions.already_registered(phone["masked"])
            activity.register(registration, at)
            registration.registration_id = activity.next_registration_id()
            repository.add_registration(tx, registration)
            repository.save(tx, activity)
            return registration, activity

        registration, activity = self.store.transaction(register)
        return schemas.present_registration(registration, activity,
                                            repository.waitlist_position(registration))

    @rpc
    def cancel_registration(self, registration_id, actor, **command):
        """Before the start only; a freed place goes to the first on the waitlist."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.CancelRegistration(), command)
        at = clock.now()
        repository = self.repository

        def cancel(tx):
            registration = repository.get_registration(registration_id, tx.session)
            activity = repository.get(registration.activity_id, tx.session)
            domain.may_cancel_registration(actor, registration, activity.community)
            activity.cancel_registration(registration, actor, at, command["reason"])
            repository.save_registration(tx, registration)
            self._promote(tx, activity, at)
            repository.save(tx, activity)
            return registration, activity

        registration, activity = self.store.transaction(cancel)
        return schemas.present_registration(registration, activity)

    @rpc
    def check_in(self, activity_id, actor, **command):
        """At the door: by registration code, or a walk-in by name (phone optional), or a
        volunteer come to serve (role `volunteer`, with the volunteer id)."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.CheckIn(), command)
        phone = self.cipher.protect(command["phone"], mask_phone)
        at = clock.now()
        repository = self.repository

        def check_in(tx):
            activity = repository.get(activity_id, tx.session)
            domain.authorise(actor, "check_in", activity.community, "办理签到")
            if command["code"]:
                registration = repository.registration_by_code(activity_id, command["code"],
                                                               tx.session)
                activity.check_in(registration, actor, at)
                repository.save_registration(tx, registration)
            else:
                registration = domain.Registration(
                    registration_id="", activity_id=activity_id, name=command["name"],
                    code=self._new_code(activity_id, tx), registered_at=at,
                    registered_by={k: actor.get(k) for k in ("id", "name", "role")},
                    role=command["role"], phone=phone, volunteer_id=command["volunteer_id"])
                known = repository.registration_by_key(registration.dedupe_key, tx.session) \
                    if registration.dedupe_key else None
                if known is not None:  # registered ahead after all: check that one in
                    registration = known
                    activity.check_in(registration, actor, at)
                    repository.save_registration(tx, registration)
                else:
                    activity.walk_in(registration, actor, at)
                    registration.registration_id = activity.next_registration_id()
                    repository.add_registration(tx, registration)
            repository.save(tx, activity)
            return registration, activity

        registration, activity = self.store.transaction(check_in)
        return schemas.present_registration(registration, activity)

    def _new_code(self, activity_id: str, tx) -> str:
        """Six random digits, unique within the activity."""
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            if not self.repository.code_taken(activity_id, code, tx.session):
                return code

    @rpc
    def get_registration(self, registration_id):
        repository = self.repository
        registration = repository.get_registration(registration_id)
        return schemas.present_registration(registration,
                                            repository.get(registration.activity_id),
                                            repository.waitlist_position(registration))

    @rpc
    def list_registrations(self, **query):
        """An activity's registrations (staff), or one person's across activities by phone
        (found by the phone's fingerprint; the number itself is never stored in clear)."""
        query = load(schemas.ListRegistrations(), query)
        fingerprint = self.cipher.fingerprint(query["phone"]) if query["phone"] else None
        repository = self.repository
        registrations, total = repository.list_registrations(query, fingerprint)
        activities = repository.by_ids({r.activity_id for r in registrations})
        return page_of([schemas.present_registration(r, activities.get(r.activity_id))
                        for r in registrations], total, query["page"], query["page_size"])

    @rpc
    def reveal_registrant_contact(self, registration_id, actor, **command):
        """The registrant's phone in clear, to call them; every reveal is audited before
        anything is returned."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reveal(), command)
        repository = self.repository
        registration = repository.get_registration(registration_id)
        activity = repository.get(registration.activity_id)
        domain.authorise(actor, "manage", activity.community, "查看报名人联系方式")
        record_reveal(self.store.db, actor, "registration", registration_id, ["phone"],
                      command["purpose"])
        phone = registration.phone
        return {"name": registration.name,
                "phone": self.cipher.open(phone["sealed"]) if phone else None}

    # --- exemplars (先进典型) -------------------------------------------------------------------

    @rpc
    def nominate_exemplar(self, actor, **details):
        actor = load(ActorSchema(), actor)
        details = load(schemas.Nominate(), details)
        domain.authorise(actor, "manage", details["community"], "推荐先进典型")
        at = clock.now()
        repository = self.repository

        def nominate(tx):
            exemplar_id = repository.next_ids(tx, f"EX{clock.local_date(at).year}")[0]
            exemplar = exemplars.Exemplar.nominate(exemplar_id, details, actor, at)
            if exemplar.open_key and repository.open_exemplar(
                    exemplar.category, exemplar.volunteer_id, tx.session):
                raise exceptions.exists(f"志愿者 {exemplar.volunteer_id} 的"
                                        f"{exemplars.CATEGORIES[exemplar.category]}推荐")
            repository.add_exemplar(tx, exemplar)
            return exemplar

        return schemas.present_exemplar(self.store.transaction(nominate))

    @rpc
    def update_exemplar(self, exemplar_id, actor, **changes):
        """Revise a nomination; one sent back goes to review again."""
        changes = load(schemas.UpdateExemplar(), changes)
        return self._change_exemplar(exemplar_id, actor, "manage", "修改先进典型",
                                     lambda e, who, at: e.update(who, at, changes))

    @rpc
    def review_exemplar(self, exemplar_id, actor, **command):
        command = load(schemas.Review(), command)

        def review(exemplar, who, at):
            if command["decision"] == "approve":
                exemplar.approve(who, at, command["comment"])
            else:
                exemplar.reject(who, at, command["comment"])
        return self._change_exemplar(exemplar_id, actor, "review", "审核先进典型", review)

    @rpc
    def publish_exemplar(self, exemplar_id, actor):
        return self._change_exemplar(exemplar_id, actor, "review", "发布先进典型",
                                     lambda e, who, at: e.publish(who, at))

    @rpc
    def withdraw_exemplar(self, exemplar_id, actor, **command):
        """Withdraw a published exemplar; it leaves the boards of activities still to come."""
        command = load(schemas.Reason(), command)
        repository = self.repository

        def withdraw(exemplar, who, at, tx):
            exemplar.withdraw(who, at, command["reason"])
            repository.unfeature_everywhere(tx, exemplar.exemplar_id, at)
        return self._change_exemplar(exemplar_id, actor, "review", "撤回先进典型", withdraw,
                                     with_tx=True)

    def _change_exemplar(self, exemplar_id, actor, permission, label, change, with_tx=False):
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            exemplar = repository.exemplar(exemplar_id, tx.session)
            domain.authorise(actor, permission, exemplar.community, label)
            if with_tx:
                change(exemplar, actor, at, tx)
            else:
                change(exemplar, actor, at)
            repository.save_exemplar(tx, exemplar)
            return exemplar

        return schemas.present_exemplar(self.store.transaction(apply))

    @rpc
    def get_exemplar(self, exemplar_id):
        """With the activities it was featured at."""
        repository = self.repository
        return schemas.present_exemplar(
            repository.exemplar(exemplar_id),
            featured_at=[{**schemas.activity_summary(a),
                          "forms": [f["form"] for f in a.featured_exemplars
                                    if f["exemplar_id"] == exemplar_id]}
                         for a in repository.featuring(exemplar_id)])

    @rpc
    def list_exemplars(self, **query):
        query = load(schemas.ListExemplars(), query)
        found, total = self.repository.list_exemplars(query)
        return page_of([schemas.present_exemplar(e) for e in found], total, query["page"],
                       query["page_size"])

    # --- what other services tell us -------------------------------------------------------------

    @handle_event(VOLUNTEER_EXEMPLAR_PROPOSED)
    def nominate_volunteer_exemplar(self, event):
        """A volunteer proposed as 志愿服务典型 awaits review. A volunteer already nominated
        (or published) in that category gets the proposal added, not a second nomination."""
        data = event.data
        actor = {"id": "volunteer", "name": "志愿服务系统", "role": "system"}
        at = clock.now()
        repository = self.repository

        def nominate(tx):
            existing = repository.open_exemplar(exemplars.VOLUNTEER_MODEL,
                                                data["volunteer_id"], tx.session)
            if existing is not None:
                existing.add_proposal(data, actor, at)
                repository.save_exemplar(tx, existing)
                return
            exemplar_id = repository.next_ids(tx, f"EX{clock.local_date(at).year}")[0]
            repository.add_exemplar(tx, exemplars.Exemplar.from_volunteer_proposal(
                exemplar_id, data, actor, at))

        self.store.transaction(nominate)

    @handle_event(TRAINING_REQUESTED)
    def schedule_requested_training(self, event):
        """送培训 agreed on an employer visit becomes a draft activity at the community's
        市民学校, for staff to set a time and publish. One activity per request."""
        data = event.data
        actor = {"id": "job", "name": "一走四送", "role": "system"}
        at = clock.now()
        repository = self.repository

        def schedule(tx):
            if repository.find_by_source("job", data["request_id"], tx.session):
                return
            place = repository.citizen_school(data["community"], tx.session)
            capacity = data["expected_participants"] if data["expected_participants"] > 0 \
                else None
            if place is not None and capacity is not None:
                capacity = min(capacity, place["room"]["capacity"])
            description = (f"{data['employer_name']}在“一走四送”走访中提出的培训需求:"
                           f"{data['topic']},预计 {data['expected_participants']} 人参加。")
            if place is None:
                description += f"{data['community']}尚未登记市民学校,请安排场地。"
            activity = domain.Activity.create(repository.next_activity_ids(tx, at)[0], {
                "title": f"送培训:{data['topic']}"[:100], "theme": domain.TRAINING_THEME,
                "description": description, "target_groups": ["employees"],
                "organiser": f"{data['community']}就业服务站", "community": data["community"],
                "capacity": capacity, "preferred_date": data["preferred_date"],
                "source_ref": {"service": "job", "ref": data["request_id"]},
            }, place, actor, at)
            repository.add(tx, activity)

        self.store.transaction(schedule)

    # --- figures ---------------------------------------------------------------------------------

    @rpc
    def activity_statistics(self, **query):
        """Activities held, attendance and the rest, for a period of office months (by the
        month an activity starts), optionally grouped."""
        query = load(schemas.Statistics(), query)
        first, last = month_range(query["period"], query["from_month"], query["to_month"])
        repository = self.repository
        buckets = repository.stat_buckets(first, last, query)
        result = domain.roll_up(buckets, tuple(query["group_by"]))
        if "venue" in query["group_by"]:
            names = repository.venue_names({g["venue_id"] for g in result["groups"]})
            for group in result["groups"]:
                group["venue_name"] = names.get(group["venue_id"])
        result["period"] = {"from_month": first, "to_month": last}
        return result

    # --- operations ------------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)

"""What the activity service answers, declared once: each view documents a shape (the OpenAPI
document is built from it) and presents it (`ActivityView(now=...).dump(activity)`)."""
from marshmallow import fields, validate

from services.activity import catalogue, domain, exemplars, registrations
from shared.schemas import (ActorRefView, AllowedActionView, CodedView, derived, history_of,
                            HistoryEntryView, Instant, list_of, masked, maybe, optional_text,
                            required_text, Schema, View)

ACTIVITY_ACTION_NAMES = {**domain.SYSTEM_ACTIONS, "unfeature_exemplar": "撤下先进典型",
                         "record_held": "补录",
                         **{a: label for a, (_, label) in domain.ACTIONS.items()}}


def _one_of(choices):
    return validate.OneOf(list(choices))


# --- activities -------------------------------------------------------------------------------


class _VenueRef(Schema):
    id = required_text()
    name = required_text()
    address = optional_text()


class _RoomRef(Schema):
    id = required_text()
    name = required_text()
    kind = required_text()


class _SlotsView(Schema):
    count = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True)


class _SourceRef(Schema):
    service = required_text()
    ref = required_text()


class _FeaturedView(Schema):
    exemplar_id = required_text()
    name = required_text()
    category = required_text()
    category_name = derived("get_category_name")
    title = required_text()
    form = required_text()
    form_name = derived("get_form_name")
    note = optional_text()

    def get_category_name(self, featured: dict) -> str:
        return exemplars.CATEGORIES[featured["category"]]

    def get_form_name(self, featured: dict) -> str:
        return catalogue.FEATURE_FORMS[featured["form"]]


class _RegistrationFigures(Schema):
    open = fields.Boolean(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    registered = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    places_left = fields.Integer(required=True, allow_none=True)


class _CheckInFigures(Schema):
    open = fields.Boolean(required=True)
    checked_in = fields.Integer(required=True)
    walk_ins = fields.Integer(required=True)
    volunteers = fields.Integer(required=True)


class _Imported(Schema):
    by = fields.Nested(ActorRefView, required=True)
    at = Instant(required=True)
    reason = required_text()


class ActivityView(View):
    """An activity as callers see it: names beside codes, the numbers at the door, and the
    actions that are legal now."""
    activity_id = required_text()
    title = required_text()
    theme = fields.String(required=True, validate=_one_of(catalogue.THEMES))
    theme_name = derived("get_theme_name")
    festival = optional_text()
    festival_name = derived("get_festival_name", allow_none=True)
    description = required_text()
    target_groups = derived("get_target_groups", fields.List, fields.Nested(CodedView))
    organiser = required_text()
    community = required_text()
    venue = maybe(_VenueRef)
    room = maybe(_RoomRef)
    place = derived("get_place", allow_none=True)
    place_capacity = fields.Integer(required=True, allow_none=True)
    starts_at = Instant(required=True, allow_none=True)
    ends_at = Instant(required=True, allow_none=True)
    capacity = fields.Integer(required=True, allow_none=True)
    volunteer_slots = fields.Nested(_SlotsView, required=True)
    series_id = optional_text()
    source_ref = maybe(_SourceRef)
    preferred_date = optional_text()
    featured_exemplars = list_of(_FeaturedView)
    state = fields.String(required=True, validate=_one_of(catalogue.STATES))
    state_name = derived("get_state_name")
    registration = derived("get_registration", fields.Nested, _RegistrationFigures)
    check_in = derived("get_check_in", fields.Nested, _CheckInFigures)
    attendance = fields.Integer(required=True, allow_none=True)
    hours = fields.Float(required=True, allow_none=True)
    minutes = optional_text()
    photo_urls = fields.List(fields.String(), required=True)
    cancel_reason = optional_text()
    created_at = Instant(required=True)
    created_by = fields.Nested(ActorRefView, required=True)
    published_at = Instant(required=True, allow_none=True)
    started_at = Instant(required=True, allow_none=True)
    finished_at = Instant(required=True, allow_none=True)
    cancelled_at = Instant(required=True, allow_none=True)
    updated_at = Instant(required=True, allow_none=True)
    imported = maybe(_Imported)
    history = derived("get_history", fields.List, fields.Nested(HistoryEntryView))
    allowed_actions = derived("get_allowed_actions", fields.List,
                              fields.Nested(AllowedActionView))
    version = fields.Integer(required=True)

    def get_theme_name(self, activity) -> str:
        return catalogue.THEMES[activity.theme]

    def get_festival_name(self, activity) -> str | None:
        return catalogue.FESTIVALS.get(activity.festival)

    def get_target_groups(self, activity) -> list[dict]:
        return [{"code": g, "name": catalogue.TARGET_GROUPS[g]} for g in activity.target_groups]

    def get_place(self, activity) -> str | None:
        return activity.place_name if activity.venue else None

    def get_state_name(self, activity) -> str:
        return catalogue.STATE_NAMES[activity.state]

    def get_registration(self, activity) -> dict:
        return {"open": activity.registration_open(self.now), "capacity": activity.capacity,
                "registered": activity.registered_count, "waitlisted": activity.waitlist_count,
                "places_left": activity.places_left()}

    def get_check_in(self, activity) -> dict:
        return {"open": activity.check_in_open(self.now),
                "checked_in": activity.checked_in_count, "walk_ins": activity.walk_in_count,
                "volunteers": activity.volunteer_count}

    def get_history(self, activity) -> list[dict]:
        return history_of(activity.history, ACTIVITY_ACTION_NAMES)

    def get_allowed_actions(self, activity) -> list[dict]:
        return [{"action": a, "name": domain.ACTIONS[a][1]}
                for a in activity.allowed_actions(self.now)]


class _ActivitySummary(Schema):
    """An activity in a line, beside a registration, a series or an exemplar."""
    activity_id = required_text()
    title = required_text()
    community = required_text()
    state = required_text()
    state_name = derived("get_state_name")
    place = derived("get_place", allow_none=True)
    starts_at = Instant(required=True, allow_none=True)
    ends_at = Instant(required=True, allow_none=True)

    def get_state_name(self, activity) -> str:
        return catalogue.STATE_NAMES[activity.state]

    def get_place(self, activity) -> str | None:
        return activity.place_name if activity.venue else None


# --- series -----------------------------------------------------------------------------------


class _SeriesActivity(_ActivitySummary):
    registered = fields.Integer(required=True, attribute="registered_count")
    attendance = fields.Integer(required=True, allow_none=True)


class _RecurrenceView(Schema):
    start_date = required_text()
    start_time = required_text()
    end_time = required_text()
    weekdays = fields.List(fields.Integer(), required=True)
    interval_weeks = fields.Integer(required=True)
    count = fields.Integer(required=True, allow_none=True)
    until = optional_text()
    exclude_dates = fields.List(fields.String(), required=True)


class SeriesView(View):
    """A series (as stored) with its activities, given to the view: `SeriesView(activities=
    [...]).dump(series)`."""
    series_id = fields.String(required=True, attribute="_id")
    title = required_text()
    community = required_text()
    recurrence = fields.Nested(_RecurrenceView, required=True)
    created_at = Instant(required=True)
    created_by = fields.Nested(ActorRefView, required=True)
    activities = derived("get_activities", fields.List, fields.Nested(_SeriesActivity))

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(activities)

    def get_activities(self, series) -> list:
        return self.members


# --- registrations ----------------------------------------------------------------------------


class RegistrationView(View):
    """A registration with the phone masked; the number itself only through an audited
    reveal. The view is given the activities the registrations are for ({activity_id:
    activity}) and, where asked, their places on the waitlist ({registration_id: place})."""
    registration_id = required_text()
    activity_id = required_text()
    activity = derived("get_activity", fields.Nested, _ActivitySummary, allow_none=True)
    name = required_text()
    phone_masked = masked("phone")
    # Who registered on the resident site: the keyed fingerprint of the phone (never the
    # number), which a resident's session carries; the gateway limits residents by it.
    resident = fields.String(attribute="phone.fingerprint", dump_default=None, allow_none=True,
                             required=True)
    role = required_text()
    role_name = derived("get_role_name")
    volunteer_id = optional_text()
    note = optional_text()
    status = fields.String(required=True,
                           validate=_one_of(registrations.REGISTRATION_STATUS_NAMES))
    status_name = derived("get_status_name")
    waitlist_position = derived("get_waitlist_position", fields.Integer, allow_none=True)
    code = required_text()
    walk_in = fields.Boolean(required=True)
    registered_at = Instant(required=True)
    registered_by = fields.Nested(ActorRefView, required=True)
    waitlisted_at = Instant(required=True, allow_none=True)
    promoted_at = Instant(required=True, allow_none=True)
    cancelled_at = Instant(required=True, allow_none=True)
    cancel_reason = optional_text()
    checked_in_at = Instant(required=True, allow_none=True)
    checked_in_by = maybe(ActorRefView)

    def __init__(self, *args, activities=None, waitlist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = activities or {}
        self.waitlist = waitlist or {}

    def get_activity(self, registration):
        return self.activities.get(registration.activity_id)

    def get_role_name(self, registration) -> str:
        return registrations.ROLE_NAMES[registration.role]

    def get_status_name(self, registration) -> str:
        return registrations.REGISTRATION_STATUS_NAMES[registration.status]

    def get_waitlist_position(self, registration) -> int | None:
        return self.waitlist.get(registration.registration_id)


class ContactView(Schema):
    name = required_text()
    phone = optional_text()


# --- exemplars --------------------------------------------------------------------------------


class _ReviewView(Schema):
    decision = required_text()
    comment = optional_text()
    by = fields.Nested(ActorRefView, required=True)
    at = Instant(required=True)


class _ProposalView(Schema):
    at = Instant(required=True)
    reason = required_text()
    total_hours = fields.Float(required=True)
    star_level = fields.Integer(required=True)
    commendations = fields.Integer(required=True)


class ExemplarView(View):
    exemplar_id = required_text()
    name = required_text()
    category = fields.String(required=True, validate=_one_of(exemplars.CATEGORIES))
    category_name = derived("get_category_name")
    community = required_text()
    title = required_text()
    story = required_text()
    photo_urls = fields.List(fields.String(), required=True)
    year = fields.Integer(required=True, allow_none=True)
    volunteer_id = optional_text()
    source_ref = maybe(_SourceRef)
    state = fields.String(required=True, validate=_one_of(exemplars.STATES))
    state_name = derived("get_state_name")
    review = maybe(_ReviewView)
    proposals = list_of(_ProposalView)
    nominated_at = Instant(required=True)
    nominated_by = fields.Nested(ActorRefView, required=True)
    published_at = Instant(required=True, allow_none=True)
    withdrawn_at = Instant(required=True, allow_none=True)
    withdraw_reason = optional_text()
    updated_at = Instant(required=True, allow_none=True)
    history = derived("get_history", fields.List, fields.Nested(HistoryEntryView))
    allowed_actions = derived("get_allowed_actions", fields.List,
                              fields.Nested(AllowedActionView))
    version = fields.Integer(required=True)

    def get_category_name(self, exemplar) -> str:
        return exemplars.CATEGORIES[exemplar.category]

    def get_state_name(self, exemplar) -> str:
        return exemplar.state_name

    def get_history(self, exemplar) -> list[dict]:
        return history_of(exemplar.history, exemplars.ACTION_NAMES)

    def get_allowed_actions(self, exemplar) -> list[dict]:
        return [{"action": a, "name": exemplars.ACTIONS[a][1]}
                for a in exemplar.allowed_actions()]


class _FeaturedAt(_ActivitySummary):
    forms = fields.List(fields.String(), required=True)


class _ShownAt:
    """An activity an exemplar was featured at, with the forms it took there (展板, 事迹分享)."""

    def __init__(self, activity, exemplar_id: str):
        self.activity = activity
        self.forms = [f["form"] for f in activity.featured_exemplars
                      if f["exemplar_id"] == exemplar_id]

    def __getattr__(self, name):
        return getattr(self.activity, name)


class ExemplarDetailView(ExemplarView):
    """An exemplar with the activities it was featured at, given to the view:
    `ExemplarDetailView(featuring=[...]).dump(exemplar)`."""
    featured_at = derived("get_featured_at", fields.List, fields.Nested(_FeaturedAt))

    def __init__(self, *args, featuring=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.featuring = list(featuring)

    def get_featured_at(self, exemplar) -> list:
        return [_ShownAt(activity, exemplar.exemplar_id) for activity in self.featuring]


# --- venues and bookings ----------------------------------------------------------------------


class _OpeningHoursView(Schema):
    weekdays = fields.List(fields.Integer(), required=True)
    opens = required_text()
    closes = required_text()


class RoomView(Schema):
    id = required_text()
    venue_id = required_text()
    community = optional_text()
    name = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    capacity = fields.Integer(required=True, allow_none=True)
    opening_hours = list_of(_OpeningHoursView)
    active = fields.Boolean(required=True)

    def get_kind_name(self, room: dict) -> str:
        return catalogue.ROOM_KINDS[room["kind"]]


class VenueView(View):
    id = required_text()
    community = optional_text()
    name = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    address = optional_text()
    capacity = fields.Integer(required=True, allow_none=True)
    opening_hours = list_of(_OpeningHoursView)
    active = fields.Boolean(required=True)
    rooms = list_of(RoomView)

    def get_kind_name(self, venue: dict) -> str:
        return catalogue.VENUE_KINDS[venue["kind"]]


class BookingView(View):
    activity_id = required_text()
    title = required_text()
    community = required_text()
    venue_id = required_text()
    room_id = optional_text()
    place = required_text()
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)


# --- reference data and figures ---------------------------------------------------------------


class ReferenceDataView(Schema):
    themes = list_of(CodedView)
    festivals = list_of(CodedView)
    target_groups = list_of(CodedView)
    venue_kinds = list_of(CodedView)
    room_kinds = list_of(CodedView)
    exemplar_categories = list_of(CodedView)
    feature_forms = list_of(CodedView)
    volunteer_skills = list_of(CodedView)
    activity_states = list_of(CodedView)
    registration_statuses = list_of(CodedView)
    exemplar_states = list_of(CodedView)


class _Figures(Schema):
    published = fields.Integer(required=True)
    held = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    attendance = fields.Integer(required=True)
    walk_ins = fields.Integer(required=True)
    registered = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    volunteers = fields.Integer(required=True)
    hours = fields.Float(required=True)
    average_attendance = fields.Float(required=True, allow_none=True)
    show_up_rate = fields.Float(required=True, allow_none=True)


class _Group(_Figures):
    """A group carries the keys it is grouped by (and their names)."""
    month = fields.String()
    community = fields.String(allow_none=True)
    venue_id = fields.String(allow_none=True)
    venue_name = fields.String(allow_none=True)
    theme = fields.String(allow_none=True)
    theme_name = fields.String(allow_none=True)
    festival = fields.String(allow_none=True)
    festival_name = fields.String(allow_none=True)


class _Period(Schema):
    from_month = optional_text()
    to_month = optional_text()


class StatisticsView(Schema):
    period = fields.Nested(_Period, required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))

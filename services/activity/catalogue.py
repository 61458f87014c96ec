"""The activity service's codes and their Chinese names: the states of an activity, and the
catalogue its activities, venues and rooms are described by (what `list_reference_data` lists,
and what the input schemas accept). No I/O."""
from shared.events.volunteer import SKILLS
from shared import names

# --- states -------------------------------------------------------------------------------

DRAFT = "draft"
PUBLISHED = "published"
ONGOING = "ongoing"
FINISHED = "finished"
CANCELLED = "cancelled"

STATE_NAMES = {DRAFT: "草稿", PUBLISHED: "已发布", ONGOING: "进行中", FINISHED: "已结束",
               CANCELLED: "已取消"}
STATES = tuple(STATE_NAMES)
NOT_STARTED = (DRAFT, PUBLISHED)
LIVE = (DRAFT, PUBLISHED, ONGOING)

# --- catalogue ----------------------------------------------------------------------------

THEMES = names.table("theme")
FESTIVAL_THEME = "our_festivals"
TRAINING_THEME = "skills_training"

FESTIVALS = names.table("festival")

TARGET_GROUPS = names.table("target_groups")

VENUE_KINDS = names.table("venue.kind")
ROOM_KINDS = names.table("room.kind")
CITIZEN_SCHOOL = "citizen_school"

# The volunteer service matches shifts to volunteers by these skill codes; an activity's
# volunteer slots name theirs from the same list, which the volunteer catalogue publishes.
VOLUNTEER_SKILLS = SKILLS

FEATURE_FORMS = names.table("form")

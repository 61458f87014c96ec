"""先进典型: exemplars nominated, reviewed, published and withdrawn — the rules, with no I/O.

    nominated ─ approve → approved ─ publish → published ─ withdraw → withdrawn
        └─ reject → rejected ─ (revised) → nominated

Staff nominate (or the volunteer service proposes a 志愿服务典型); the street office reviews,
publishes and withdraws. Only a published exemplar may be featured at activities (展板,
事迹分享).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.activity import exceptions as errors
from shared import clock
from shared.domain import Aggregate, actor_ref, history_entry
from shared.events import activity as events

NOMINATED = "nominated"
APPROVED = "approved"
REJECTED = "rejected"
PUBLISHED = "published"
WITHDRAWN = "withdrawn"

STATE_NAMES = {NOMINATED: "待审核", APPROVED: "审核通过", REJECTED: "未通过",
               PUBLISHED: "已发布", WITHDRAWN: "已撤回"}
STATES = tuple(STATE_NAMES)
# While an exemplar is in one of these, another nomination of the same volunteer in the same
# category is not opened: the proposal is added to it instead.
OPEN = (NOMINATED, APPROVED, PUBLISHED)

CATEGORIES = {
    "filial_family": "孝亲之家",
    "good_in_laws": "好婆婆·好媳妇",
    "good_person": "身边好人",
    "civilised_family": "文明家庭",
    "volunteer_model": "志愿服务典型",
}
VOLUNTEER_MODEL = "volunteer_model"

ACTIONS = {
    "update": ((NOMINATED, REJECTED), "修改"),
    "approve": ((NOMINATED,), "审核通过"),
    "reject": ((NOMINATED,), "退回"),
    "publish": ((APPROVED,), "发布"),
    "withdraw": ((PUBLISHED,), "撤回"),
}
ACTION_NAMES = {"nominate": "提名", "propose": "推荐", **{a: l for a, (_, l) in ACTIONS.items()}}
EDITABLE = ("name", "title", "story", "photo_urls", "year", "volunteer_id")


@dataclass
class Exemplar(Aggregate):
    ACTIONS = ACTIONS
    STATE_NAMES = STATE_NAMES

    exemplar_id: str
    name: str                       # a person or a household (张家, 王秀英)
    category: str
    community: str
    title: str                      # one line for the board (孝老爱亲好媳妇)
    story: str                      # 事迹
    nominated_at: datetime
    nominated_by: dict
    photo_urls: list = field(default_factory=list)
    year: int | None = None
    volunteer_id: str | None = None
    source_ref: dict | None = None  # {"service": "volunteer", "ref": volunteer id}
    state: str = NOMINATED
    review: dict | None = None      # {decision, comment, by, at}
    proposals: list = field(default_factory=list)  # what the volunteer service said, in order
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdraw_reason: str | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    @classmethod
    def nominate(cls, exemplar_id: str, details: dict, actor: dict, at: datetime) -> "Exemplar":
        if details["category"] not in CATEGORIES:
            raise errors.invalid("category", f"未知的典型类别 {details['category']}。")
        exemplar = cls(exemplar_id=exemplar_id, nominated_at=at,
                       nominated_by=actor_ref(actor), **details)
        exemplar.year = exemplar.year or clock.local_date(at).year
        exemplar.updated_at = at
        exemplar.history.append(history_entry("nominate", None, NOMINATED, actor, at))
        return exemplar

    @classmethod
    def from_volunteer_proposal(cls, exemplar_id: str, proposal: dict, actor: dict,
                                at: datetime) -> "Exemplar":
        exemplar = cls.nominate(exemplar_id, {
            "name": proposal["name"], "category": VOLUNTEER_MODEL,
            "community": proposal["community"], "title": proposal_title(proposal),
            "story": proposal_story(proposal), "volunteer_id": proposal["volunteer_id"],
            "source_ref": {"service": "volunteer", "ref": proposal["volunteer_id"]},
        }, actor, at)
        exemplar.proposals.append(_proposal(proposal, at))
        return exemplar

    def add_proposal(self, proposal: dict, actor: dict, at: datetime):
        """The volunteer service proposes someone already nominated (a higher star level, more
        commendations): under review, the figures are brought up to date; once published,
        the proposal is only kept on record."""
        self.proposals.append(_proposal(proposal, at))
        if self.state in (NOMINATED, APPROVED):
            self.title, self.story = proposal_title(proposal), proposal_story(proposal)
        self._record("propose", self.state, actor, at, proposal["reason"])

    def update(self, actor, at, changes: dict):
        """Revise while under review, or after being sent back (which resubmits it)."""
        self._check("update")
        for name in EDITABLE:
            if name in changes:
                setattr(self, name, changes[name])
        from_state = self.state
        self.state = NOMINATED
        self._record("update", from_state, actor, at, None, {"fields": sorted(changes)})

    def approve(self, actor, at, comment: str | None = None):
        self._decide("approve", APPROVED, actor, at, comment)

    def reject(self, actor, at, comment: str):
        self._decide("reject", REJECTED, actor, at, comment)

    def publish(self, actor, at):
        self._move("publish", PUBLISHED, actor, at, None)
        self.published_at = at
        self._emit(events.EXEMPLAR_PUBLISHED, category_name=CATEGORIES[self.category],
                   title=self.title)

    def withdraw(self, actor, at, reason: str):
        self._move("withdraw", WITHDRAWN, actor, at, reason)
        self.withdrawn_at, self.withdraw_reason = at, reason
        self._emit(events.EXEMPLAR_WITHDRAWN, reason=reason)

    # -- questions --------------------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.state == PUBLISHED

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    @property
    def open_key(self) -> str | None:
        """One open exemplar per volunteer and category (a unique index holds it)."""
        if self.volunteer_id and self.state in OPEN:
            return f"{self.category}|{self.volunteer_id}"
        return None

    # -- internals --------------------------------------------------------------------------

    def _decide(self, action, to_state, actor, at, comment):
        self._move(action, to_state, actor, at, comment)
        self.review = {"decision": action, "comment": comment, "by": actor_ref(actor),
                       "at": at}

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"先进典型 {self.exemplar_id} "

    def event_data(self, actor) -> dict:
        return {"exemplar_id": self.exemplar_id, "name": self.name, "category": self.category,
                "community": self.community, "volunteer_id": self.volunteer_id}


def proposal_title(proposal: dict) -> str:
    stars = proposal.get("star_level") or 0
    return f"{stars}星级志愿者" if stars else "优秀志愿者"


def proposal_story(proposal: dict) -> str:
    return (f"{proposal['reason']}。累计志愿服务 {proposal['total_hours']:g} 小时,"
            f"{proposal['star_level']} 星级志愿者,受到表扬 {proposal['commendations']} 次。")


def _proposal(proposal: dict, at) -> dict:
    return {"at": at, **{k: proposal[k] for k in ("reason", "total_hours", "star_level",
                                                  "commendations")}}

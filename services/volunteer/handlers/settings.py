"""The office's settings for volunteers: teams, skills and the recognition rules."""
from __future__ import annotations

from services.volunteer import domain, schemas
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@query
def teams(uow, query: dict) -> list[dict]:
    query = load(schemas.ListTeams(), query)
    return uow.reference.teams(query["community"], query["include_inactive"])


@command
def save_team(uow, actor: dict, team: dict) -> dict:
    """A volunteer team (志愿服务队) of a community, or of the street without one."""
    actor = load(ActorSchema(), actor)
    team = load(schemas.Team(), team)
    domain.require_manager(actor, team["community"], "维护志愿服务队")
    # A team that exists is changed only by those who may manage it where it is now: naming
    # your own community does not take over another community's team.
    existing = uow.reference.find_team(team["code"])
    if existing is not None:
        domain.require_manager(actor, existing["community"], "修改志愿服务队")
    uow.reference.save_team(team)
    return uow.reference.team(team["code"])


@query
def skills(uow) -> list[dict]:
    return [{"code": code, "name": name} for code, name in domain.SKILLS.items()]


@query
def recognition_rules(uow) -> dict:
    return uow.reference.rules().as_dict()


@command
def set_recognition_rules(uow, actor: dict, rules: dict) -> dict:
    """星级 thresholds and exemplar proposals; they apply from each volunteer's next credited
    hours or commendation."""
    actor = load(ActorSchema(), actor)
    rules = load(schemas.RecognitionRules(), rules)
    domain.require_manager(actor, None, "设置星级和典型推荐规则")
    uow.reference.set_rules(rules)
    return recognition_rules(uow)

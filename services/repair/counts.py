"""What one work order holds in the published figures, each change with the moment that puts
it in its office month: the report and its current state (in the month it was reported), each
escalation, each reopen, each 回访 answer and each resident's rating (in their own months, read
from the history; a rated completion's 回访 answer also as overridden), and
the current completion (in the month it was completed). The order adds these as it goes
(services/repair/domain.py); this list of them is what moves when the order changes
department, and what the figures by department are rebuilt from once (docs/reports.md)."""
from __future__ import annotations


def completion_counts(quantities: list[dict], on_time: bool, sign: int) -> dict:
    """What one completion adds to its month's figures (sign +1), or takes back (-1)."""
    totals: dict[str, float] = {}
    for q in quantities:
        totals[q["kind"]] = totals.get(q["kind"], 0) + q["amount"]
    return {"completed": sign, "completed_on_time": sign * int(on_time),
            **{f"quantity.{kind}": sign * round(float(amount), 2)
               for kind, amount in totals.items()}}


def held(order) -> list[tuple]:
    """[(moment, {counter: amount})]: every count the order holds now."""
    found = [(order.reported_at, {"reported": 1, f"state.{order.state}": 1})]
    follow_up = rated = None  # of the completion the history has reached
    for entry in order.history:
        details = entry.get("details") or {}
        if entry["action"] == "complete":
            follow_up = rated = None
        if entry["action"] == "escalate":
            found.append((entry["at"], {"escalated": 1}))
        if entry["action"] == "reopen" or (entry["action"] == "follow_up"
                                           and details.get("reopened")):
            found.append((entry["at"], {"reopened": 1}))
        if entry["action"] == "follow_up" and details.get("result"):
            follow_up = entry
            found.append((entry["at"], {f"follow_up.{details['result']}": 1}))
        if entry["action"] == "rate" and details.get("result"):
            rated = entry
            found.append((entry["at"], {f"rating.{details['result']}": 1}))
        if follow_up is not None and rated is not None:
            # a completion the reporter rated: its 回访 answer is not counted in 满意率
            result = follow_up["details"]["result"]
            found.append((follow_up["at"], {f"follow_up_overridden.{result}": 1}))
            follow_up = rated = None
    if order.completed_at is not None:
        found.append((order.completed_at,
                      completion_counts(order.quantities, completed_on_time(order), +1)))
    return found


def completed_on_time(order) -> bool:
    """Whether the current completion met its deadline (worked out for orders completed before
    it was kept)."""
    if order.completed_on_time is not None:
        return order.completed_on_time
    return bool(order.due_at and order.completed_at <= order.due_at)

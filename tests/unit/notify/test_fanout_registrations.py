"""An activity's reminder goes to every registrant: the courier follows the activity
service's list of registrations by cursor to its end."""
from services.notify.courier import ask


class Activity:
    """The activity service's list of registrations, three pages of two (and the calls)."""

    def __init__(self):
        self.calls = []
        self.pages = {None: (["r1", "r2"], "c1"), "c1": (["r3", "r4"], "c2"),
                      "c2": (["r5"], None)}

    def list_registrations(self, **query):
        self.calls.append(query)
        items, after = self.pages[query["cursor"]]
        return {"items": items, "next_cursor": after, "has_more": after is not None,
                "page_size": 2, "total": None}


def test_every_registration_is_asked_for_once_by_cursor():
    activity = Activity()
    found = ask({"activity": activity},
                {"kind": "activity_reminder", "data": {"activity_id": "AC1"}})
    assert found == ["r1", "r2", "r3", "r4", "r5"]
    assert [c["cursor"] for c in activity.calls] == [None, "c1", "c2"]
    assert all(c["activity_id"] == "AC1" and c["status"] == ["registered"]
               for c in activity.calls)

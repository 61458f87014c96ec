"""docs/scaling.md stays complete: every event handler and timer of every service is there,
with what makes it safe to run on several replicas."""
import inspect
from pathlib import Path

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.timer import Timer

from shared.messaging import EventSubscriber
from shared.topology import service_classes

DOC = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"


def background_entrypoints(cls):
    """Methods that run without a caller waiting: event handlers and timers."""
    return [name for name, method in inspect.getmembers(cls, inspect.isfunction)
            if any(isinstance(e, (EventSubscriber, Timer))
                   for e in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()))]


@pytest.mark.parametrize("cls", service_classes(), ids=lambda cls: cls.name)
def test_every_handler_and_timer_is_described(cls):
    text = DOC.read_text()
    missing = [name for name in background_entrypoints(cls) if f"`{name}`" not in text
               and f"timer `{name}`" not in text]
    assert not missing, f"docs/scaling.md does not describe {cls.name}: {missing}"

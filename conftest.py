# nameko runs on eventlet, and its pytest plugin no longer patches the standard library:
# this must happen before anything imports socket, threading or pymongo.
import warnings

# eventlet announces its bugfix-only mode on import; that one known warning is silenced.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()


# --- A hung test fails alone -------------------------------------------------------------------
# pytest-timeout picks its "thread" method whenever the current thread is not the main thread,
# and under eventlet's patching it never is: that method ends the whole run with os._exit. This
# hook keeps the signal method: SIGALRM interrupts the hang, the failure is thrown into the test's
# own green thread (where eventlet's own timeouts land), and the stacks printed are those of
# every green thread, which is where a hang under eventlet really is.
import gc  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

import greenlet  # noqa: E402
import pytest  # noqa: E402


def _green_stacks() -> str:
    parts = []
    for thing in gc.get_objects():
        if isinstance(thing, greenlet.greenlet) and thing.gr_frame is not None:
            parts.append("--- green thread %r\n%s" % (
                thing, "".join(traceback.format_stack(thing.gr_frame))))
    return "\n".join(parts)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    if settings.method != "signal" or not hasattr(signal, "SIGALRM"):
        return None
    test_thread = greenlet.getcurrent()

    def handler(signum, frame):
        message = f"Timeout >{settings.timeout}s: the test hung; green threads:\n{_green_stacks()}"
        sys.stderr.write(message)
        failure = pytest.fail.Exception(message, pytrace=False)
        hub = eventlet.hubs.get_hub()
        if greenlet.getcurrent() in (test_thread, hub.greenlet):
            # In the test, or in the hub waiting for I/O on the test's behalf: the hub's
            # parent is the test's green thread, which receives the failure (eventlet makes
            # a new hub at the next switch).
            raise failure
        # Another green thread is running: the test gets the failure at the hub's next turn.
        hub.schedule_call_global(0, test_thread.throw, failure)

    def cancel():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    item.cancel_timeout = cancel
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    return True

"""The notification service, made to die at the worst moment: right after the development
adapter has 'sent' its first message and before the send is recorded (SIGKILL, so nothing is
cleaned up). The marker file (`CRASH_MARKER`) says it has died once; started again it behaves
as the real one."""
import os
import signal
from pathlib import Path

from services.notify import service as notify  # not the class: `nameko run` would run it too
from services.notify.channels import development

_send = development.DevelopmentAdapter.send


def send_then_die(self, outgoing):
    reference = _send(self, outgoing)
    marker = Path(os.environ["CRASH_MARKER"])
    if not marker.exists():
        marker.write_text(outgoing.key)
        os.kill(os.getpid(), signal.SIGKILL)
    return reference


development.DevelopmentAdapter.send = send_then_die


class CrashingNotifyService(notify.NotifyService):
    name = "notify"

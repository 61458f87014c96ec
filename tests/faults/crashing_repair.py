"""The repair service, made to die at the worst moment: after the transaction of its first
report has committed and before the reply is sent (SIGKILL, so nothing is cleaned up). The
marker file (`CRASH_MARKER`) says it has died once; the service started again behaves as the
real one."""
import os
import signal
from pathlib import Path

from services.repair import service as repair  # not the class: `nameko run` would run it too
from shared.messaging import rpc


class CrashingRepairService(repair.RepairService):
    name = "repair"

    @rpc
    def report_work_order(self, actor, **report):
        answer = super().report_work_order(actor, **report)
        marker = Path(os.environ["CRASH_MARKER"])
        if not marker.exists():
            marker.write_text(answer["number"])
            os.kill(os.getpid(), signal.SIGKILL)
        return answer

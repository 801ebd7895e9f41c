"""What the local stack's pollers do with a failure: moto and the function host go away when the
stack stops, often before a poller's thread sees the stop, so a failure is reported only if the
stop does not follow within a second."""

from __future__ import annotations

import threading
import traceback


def report_unless_stopping(stopped: threading.Event) -> None:
    """Print the failure being handled, unless the stack is stopping (waits up to a second for the
    stop, which is also the pause before the poller tries again)."""
    if not stopped.wait(1):
        traceback.print_exc()

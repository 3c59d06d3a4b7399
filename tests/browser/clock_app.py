"""The app for browser tests, with a clock the tests can move on (test-only).

gunicorn serves ``tests.browser.clock_app:app``. The clock is the real time plus
an offset in seconds read from the file named by ``FAMILY_HUB_TEST_CLOCK_FILE``
on every call, so a test moves time on in every worker by writing that file
(``ServedApp.shift_clock``). Product code is unchanged: it already reads the time
through the ``CLOCK`` setting (the app's clock). Never use this in production.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from hub import create_app
from services.db import utcnow
from tests.browser.support import CLOCK_FILE_VARIABLE


def shifted_now() -> datetime:
    """Naive UTC now, moved on by the offset in the clock file (0 when absent or empty)."""
    name = os.environ.get(CLOCK_FILE_VARIABLE)
    offset = 0.0
    if name:
        try:
            offset = float(Path(name).read_text().strip() or 0)
        except FileNotFoundError:
            offset = 0.0
    return utcnow() + timedelta(seconds=offset)


app = create_app({"CLOCK": shifted_now})

"""The stand-in Notify API and ORUK feed, shared with the tests that own them."""

from tests.hub.oruk.test_feed_import import council  # noqa: F401  (fixture)
from tests.routing.referrals.test_outbox import notify  # noqa: F401  (fixture)

"""The names of the pages the menu leads to, written once: the menu item, the page's
title and its heading use the same words, so a person looking for "Messages" finds a
page called "Messages" (a test compares every role's menu with its pages)."""

from __future__ import annotations

from routing.referrals.earlier import REQUESTS_PAGE_TITLE
from routing.referrals.stuck import STUCK_PAGE_TITLE

REFERRALS = "Referrals"
# A provider's referrals: those sent to their organisation, to answer.
REFERRAL_INBOX = "Referral inbox"
OUR_SERVICES = "Our services"
# The provider's own page, and the coordinator's view of every service.
OUR_SERVICES_HEADING = f"{OUR_SERVICES} and capacity"
EVERY_SERVICE_HEADING = "Every service and its capacity"
MESSAGES = "Messages"
EARLIER_REFERRALS = REQUESTS_PAGE_TITLE
STUCK = STUCK_PAGE_TITLE
REFER_A_FAMILY = "Refer a family"
# The coordinator's list of needs (Manage the hub links to it by this name).
NEEDS = "Needs and their codes"

"""Referral pages: the referral form, inboxes, timelines and the stuck report."""

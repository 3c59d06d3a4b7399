"""Notifications: an outbox table (the default, shown on a page for the demo) and
delivery through GOV.UK Notify when ``NOTIFY_API_KEY`` is set."""

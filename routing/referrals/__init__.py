"""Referrals: children, referrals between schools and providers, and their lifecycle.

Plain domain code: nothing here imports Flask or the web app. Operations take
a Session and ``now`` and never commit; each web request commits once.
"""

"""Matching, geography and the referral lifecycle."""

"""Accounts, roles, log-in and log-out."""

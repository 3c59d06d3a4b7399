"""User accounts: who may sign in, with which role, for which organisation."""

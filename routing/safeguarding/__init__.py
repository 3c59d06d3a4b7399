"""The designated safeguarding lead's queue: concerns, safeguarding stops, decisions."""

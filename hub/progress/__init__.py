"""The family's progress page, reached by a capability link."""

"""The safeguarding lead's queue: recording a concern, the queue, an item and its decision."""

"""Lead practitioners: the one named person who coordinates a child's family across services."""

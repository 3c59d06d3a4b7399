"""The children missing education register and the attendance import."""

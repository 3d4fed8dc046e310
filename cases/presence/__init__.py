"""Presence: who else has a case open right now, and whether they are writing on it."""

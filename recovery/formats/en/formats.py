# Mend's English spelling of a moment ("6 Dec 2026, 04:22"): day first and a 24-hour clock, read the
# same by agents on either side of the Atlantic. German and Spanish use Django's own formats.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"

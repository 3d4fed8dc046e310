"""One structured log line per thing that happened: ids only, never names, emails or free text.

`record(logger, "outbox.sent", notification_id=12)` reads `outbox.sent notification_id=12` as text
(`make run`) and carries `event` and `notification_id` as fields in production's JSON lines.
"""

import logging
from typing import Any

from django.conf import settings
from pythonjsonlogger.json import JsonFormatter


def record(logger: logging.Logger, event: str, /, *, level: int = logging.INFO, **ids: Any) -> None:
    fields = " ".join(f"{name}={value}" for name, value in ids.items())
    logger.log(level, "%s %s", event, fields, extra={"event": event, **ids})


class Formatter(logging.Formatter):
    """Text for people (`LOG_FORMAT=text`, the default under DEBUG), JSON for machines otherwise."""

    def __init__(self) -> None:
        super().__init__()
        if settings.LOG_FORMAT == "json":
            self._delegate: logging.Formatter = JsonFormatter(
                "{asctime}{levelname}{name}{message}{correlation_id}",
                style="{",
                rename_fields={"levelname": "level", "correlation_id": "request_id"},
            )
        else:
            self._delegate = logging.Formatter("{asctime} {levelname:<7} {name} {message}", style="{")

    def format(self, record: logging.LogRecord) -> str:
        line = self._delegate.format(record)
        request_id = getattr(record, "correlation_id", None)
        if request_id and not isinstance(self._delegate, JsonFormatter):
            line += f" request_id={request_id}"
        return line

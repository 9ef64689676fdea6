"""Logging for Mötesplatser: filters and formatters that keep personal data out of the logs.

Production writes JSON lines (``LOG_FORMAT=json``): one object per line with the time, level,
logger and message, plus the request's method, path, status and duration where the record
comes from a request. Nothing personal is written: personal feed tokens, the keys in e-mail
confirmation and password-reset links, and e-mail addresses are masked in the message, in the
request path and in tracebacks.
"""

import datetime
import json
import logging
import re

# Secrets in URL paths: a personal feed token is the key to someone's calendar; allauth's
# confirmation and password-reset keys log a person in.
_PERSONAL_FEED = re.compile(r"(/feeds/personal/)[^/\s.?\"']+")
_ACCOUNT_KEYS = re.compile(r"(/accounts/(?:confirm-email|password/reset/key)/)[^/\s?\"']+")
# Deliberately broad: anything that looks like an address (also inside a URL or a repr).
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

REDACTED_TOKEN = "[token]"
REDACTED_EMAIL = "[email]"


def redact(text):
    """``text`` with feed tokens, account keys and e-mail addresses masked."""
    if not text:
        return text
    if "/feeds/personal/" in text:
        text = _PERSONAL_FEED.sub(rf"\1{REDACTED_TOKEN}", text)
    if "/accounts/" in text:
        text = _ACCOUNT_KEYS.sub(rf"\1{REDACTED_TOKEN}", text)
    if "@" in text:
        text = _EMAIL.sub(REDACTED_EMAIL, text)
    return text


def _redact_record(record):
    message = record.getMessage()
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    path = getattr(record, "path", None)
    if isinstance(path, str):
        record.path = redact(path)


class RedactFeedTokens(logging.Filter):
    """Replace personal feed tokens in log messages (they are the key to someone's calendar).

    Since the e-mail redaction was added it masks every secret that :func:`redact` knows; the
    name stays for existing logging configurations.
    """

    def filter(self, record):
        _redact_record(record)
        return True


class RedactPersonalData(RedactFeedTokens):
    """Mask feed tokens, account keys and e-mail addresses in the message and request path."""


class PlainFormatter(logging.Formatter):
    """Django's usual one-line format, with tracebacks redacted as well."""

    def __init__(self, fmt="%(asctime)s %(levelname)s %(name)s %(message)s", *args, **kwargs):
        super().__init__(fmt, *args, **kwargs)

    def format(self, record):
        return redact(super().format(record))


# Attributes of a record that carry request information (set by portal.middleware's request
# log, and by Django's own ``django.request``/``django.server`` records).
_REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and request fields if any."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request = getattr(record, "request", None)
        # django.request passes the request object; take only what is not personal.
        if request is not None and hasattr(request, "method"):
            entry["method"] = request.method
            entry["path"] = redact(getattr(request, "path", ""))
        for field in _REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = redact(value) if isinstance(value, str) else value
        status = getattr(record, "status_code", None)
        if status is not None and "status" not in entry:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)

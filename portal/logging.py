"""Logging filters that keep secrets out of the logs."""

import logging
import re

_PERSONAL_FEED = re.compile(r"(/feeds/personal/)[^/\s.]+")


class RedactFeedTokens(logging.Filter):
    """Replace personal feed tokens in log messages (they are the key to someone's calendar)."""

    def filter(self, record):
        message = record.getMessage()
        if "/feeds/personal/" in message:
            record.msg, record.args = _PERSONAL_FEED.sub(r"\1[token]", message), None
        return True

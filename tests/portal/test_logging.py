import logging

from portal.logging import RedactFeedTokens


def test_feed_tokens_are_redacted_from_log_messages():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/feeds/personal/AbC-123_xyz.ics",), None
    )
    RedactFeedTokens().filter(record)
    assert record.getMessage() == "Not Found: /feeds/personal/[token].ics"

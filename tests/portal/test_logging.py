import datetime
import json
import logging
import sys

from portal.logging import JsonFormatter, PlainFormatter, RedactFeedTokens, RedactPersonalData, redact


def test_feed_tokens_are_redacted_from_log_messages():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/feeds/personal/AbC-123_xyz.ics",), None
    )
    RedactFeedTokens().filter(record)
    assert record.getMessage() == "Not Found: /feeds/personal/[token].ics"


def make_record(message, *args, name="portal.test", level=logging.INFO, **extra):
    record = logging.LogRecord(name, level, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_email_addresses_and_account_keys_are_redacted():
    record = make_record(
        "Sent to %s; link %s", "Åsa.Öberg+test@kommun.example.se", "/en/accounts/confirm-email/MTk:1v2:abcDEF/"
    )
    RedactPersonalData().filter(record)
    assert record.getMessage() == "Sent to [email]; link /en/accounts/confirm-email/[token]/"
    assert redact("/accounts/password/reset/key/3-abc123xyz/") == "/accounts/password/reset/key/[token]/"
    assert redact("GET /events/?q=klimat 200") == "GET /events/?q=klimat 200"  # nothing personal: unchanged


def test_json_formatter_writes_one_object_per_line():
    record = make_record(
        "%s %s %s %.1fms",
        "GET",
        "/feeds/personal/AbCdEfGhIjKlMnOpQrStUv.ics",
        200,
        3.25,
        name="portal.request",
        method="GET",
        path="/feeds/personal/AbCdEfGhIjKlMnOpQrStUv.ics",
        status=200,
        duration_ms=3.2,
    )
    RedactPersonalData().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "portal.request"
    assert entry["message"] == "GET /feeds/personal/[token].ics 200 3.2ms"
    assert entry["method"] == "GET" and entry["status"] == 200 and entry["duration_ms"] == 3.2
    assert entry["path"] == "/feeds/personal/[token].ics"
    assert datetime.datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_json_formatter_takes_method_and_path_from_django_request_records(rf):
    request = rf.get("/feeds/personal/AbCdEfGhIjKlMnOpQrStUv.ics?x=anna@example.org")
    record = make_record("Not Found: %s", request.path, name="django.request", request=request, status_code=404)
    entry = json.loads(JsonFormatter().format(record))  # also without the filter
    assert entry == {
        "time": entry["time"],
        "level": "INFO",
        "logger": "django.request",
        "message": "Not Found: /feeds/personal/[token].ics",
        "method": "GET",
        "path": "/feeds/personal/[token].ics",
        "status": 404,
    }


def test_tracebacks_are_redacted_and_kept_on_one_line():
    try:
        raise ValueError("no account for anna@example.org")
    except ValueError:
        record = logging.LogRecord("portal.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: no account for [email]" in entry["exception"]
    assert "anna@example.org" not in PlainFormatter().format(record)


def test_request_log_middleware_logs_without_query_or_personal_data(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/events/?q=anna@example.org")
        client.get("/feeds/personal/AbCdEfGhIjKlMnOpQrStUvWxYz.ics")
        client.get("/healthz")
    records = [record for record in caplog.records if record.name == "portal.request"]
    # The query string is never logged; the token is masked (by the handler's filter or the formatter).
    assert [(r.method, redact(r.path), r.status) for r in records] == [
        ("GET", "/events/", 200),
        ("GET", "/feeds/personal/[token].ics", 404),
    ]
    lines = [JsonFormatter().format(record) for record in records]
    assert "anna@example.org" not in "".join(lines) and "AbCdEf" not in "".join(lines)

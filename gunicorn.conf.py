"""gunicorn configuration for Mötesplatser, read from the environment.

gunicorn loads this file by itself when it starts in the project folder; `make run` and the
systemd unit in docs/deployment.md name it with ``-c gunicorn.conf.py``. Command-line options
override it.

| variable | default | |
| --- | --- | --- |
| BIND | 127.0.0.1:$PORT | address to listen on (``0.0.0.0:8000``, ``unix:/run/motesplatser/gunicorn.sock``) |
| PORT | 8000 | port when BIND is unset |
| WEB_CONCURRENCY | 2 × CPUs + 1, at most 8 | worker processes |
| GUNICORN_THREADS | 2 | threads per worker (each thread may hold a database connection) |
| GUNICORN_TIMEOUT | 30 | seconds before a silent worker is restarted |
| GUNICORN_MAX_REQUESTS | 1000 in production, 0 locally | recycle a worker after this many requests (with jitter) |
| FORWARDED_ALLOW_IPS | empty | proxies whose X-Forwarded-* gunicorn itself may trust (see below) |
| GUNICORN_LOG_LEVEL | info | gunicorn's own log |

Requests are logged by Django (portal.middleware.RequestLogMiddleware), not by gunicorn: its
access log would write the path of every request as it is, and personal feed tokens and
account keys are part of paths. Django's log masks them (portal.logging) and writes JSON
lines in production; gunicorn's own messages use the same format.
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus():
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers)
    except AttributeError:
        return os.cpu_count() or 1


_production = os.environ.get("PORTAL_ENV") == "production"

bind = os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
# CPU-bound Django: about two workers per core. The cap keeps the database connections of
# one app server (workers × threads) well below PostgreSQL's max_connections.
workers = _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 8))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind nginx with upstream keep-alive; a little longer than nginx's idle upstream timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (memory growth in long-lived processes), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000 if _production else 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max(max_requests // 10, 0))

# The forwarded protocol is judged by Django (TRUST_X_FORWARDED_PROTO and SECURE_PROXY_SSL_HEADER),
# the client address by allauth and the rate limits (TRUSTED_PROXY_COUNT). gunicorn trusts no
# proxy unless told, so that there is one switch for each, in the Django settings.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

proc_name = "motesplatser"
# No control socket: several instances on one host would share its default path.
control_socket_disable = True

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json" if _production else "plain") == "json":
    # gunicorn's own messages (start, worker boot, timeouts) as JSON lines like Django's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
        "filters": {"redact": {"()": "portal.logging.RedactPersonalData"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }

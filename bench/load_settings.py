"""Settings for bench/load.py: the portal's own settings, with three load-test-only changes.

- ``STATIC_ROOT`` from ``LOADTEST_STATIC_ROOT``, so that ``collectstatic`` writes to the
  load test's temporary directory and never to the project's ``staticfiles/``.
- ``ALLAUTH_TRUSTED_PROXY_COUNT`` from ``LOADTEST_TRUSTED_PROXY_COUNT`` (default 0, as in the
  portal): with 1, allauth takes the client address from ``X-Forwarded-For``, as behind one
  reverse proxy, so that simulated users each get their own address for allauth's rate
  limits (``login``: 30 a minute per address) instead of all sharing 127.0.0.1.
- With ``REDIS_URL``, a ``KEY_PREFIX`` from ``LOADTEST_CACHE_PREFIX``, so that a run never
  reads or invalidates another portal's keys in the same Redis, and its keys can be
  removed afterwards.

Everything else (middleware, database options, cache backends, templates, e-mail, tasks,
allauth, i18n) is ``portal.settings`` unchanged.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import CACHES, REDIS_URL, STATIC_ROOT

STATIC_ROOT = os.environ.get("LOADTEST_STATIC_ROOT") or STATIC_ROOT

ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("LOADTEST_TRUSTED_PROXY_COUNT") or 0)

if REDIS_URL and os.environ.get("LOADTEST_CACHE_PREFIX"):
    CACHES = {**CACHES, "default": {**CACHES["default"], "KEY_PREFIX": os.environ["LOADTEST_CACHE_PREFIX"]}}

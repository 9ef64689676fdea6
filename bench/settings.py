"""Settings for the benchmark: the portal's own settings plus two bare reference views.

Everything (middleware, database, cache, templates) is the portal's; only the URLconf,
one extra template directory, STATIC_ROOT and, on request, the cache backend differ.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import BASE_DIR, STATIC_ROOT, TEMPLATES

ROOT_URLCONF = "bench.urls"

# A copy of the portal's template settings with bench/templates appended to DIRS;
# the portal's TEMPLATES list itself is left untouched.
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]},
    *TEMPLATES[1:],
]

# collectstatic writes here, so that a benchmark never touches the project's staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT

# BENCH_DISABLE_CACHE=1: no server-side cache at all, so that every request renders.
if os.environ.get("BENCH_DISABLE_CACHE", "").strip().lower() in {"1", "true", "yes", "on"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

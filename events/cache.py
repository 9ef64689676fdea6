"""Server-side cache for public catalogue pages.

Rendered pages for anonymous visitors are stored under a key that contains a
catalogue version. Any change to events, places, themes, organisers or
registrations bumps the version, so a change is visible at once on every app
server that shares the cache (Redis in production). The timeout bounds how long
a page can lag behind the clock, for example an event that has just ended.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from portal.htmx import wants_fragment

VERSION_KEY = "catalogue:version"
# Response headers stored with a cached page; the middleware adds the rest on every response.
KEPT_HEADERS = {"Content-Type", "Content-Language", "HX-Push-Url"}
# What a cached page varies on, also when it is served from the cache.
VARY = ("Cookie", "HX-Request", "HX-History-Restore-Request")
# Query parameters that shape a public page; a request with others is rendered, not cached,
# so that made-up parameters cannot fill the cache.
CACHEABLE_PARAMS = {"q", "theme", "place", "municipality", "format", "access", "from", "to", "page"}
MAX_QUERY_LENGTH = 500


def catalogue_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # Start from the clock, not from 1: if the key is ever evicted, the new version can
        # never match pages cached under an old one. add() lets concurrent servers agree.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY) or time.time_ns()
    return version


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def bump_catalogue_version(**kwargs):
    """Invalidate every cached public page. Safe to use as a signal receiver.

    Bumped now and again after the commit: a request that renders between the two
    could otherwise cache the old data under the new version.
    """
    _bump()
    transaction.on_commit(_bump)


def _is_cacheable(request):
    # Only for anonymous visitors without pending messages: their pages carry no
    # personal content, no CSRF token and no flash message.
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and set(request.GET) <= CACHEABLE_PARAMS
    )


def _key(request):
    raw = "|".join(
        (
            request.path,
            translation.get_language(),
            "fragment" if wants_fragment(request) else "page",
            request.GET.urlencode(),
        )
    )
    return f"page:{catalogue_version()}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cache_public_page(view):
    """Serve the view's successful responses to anonymous visitors from the cache."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _is_cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content, headers=headers)
            response["X-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                headers = {name: value for name, value in response.items() if name in KEPT_HEADERS}
                cache.set(key, (response.content, headers), settings.PUBLIC_CACHE_SECONDS)
                response["X-Cache"] = "miss"
        patch_vary_headers(response, VARY)
        return response

    return wrapped

"""Rate limits per client: registrations, calendar feeds and attendee exports.

Built on django-ratelimit's counters (``get_usage``), which live in the default cache: Redis
in production, so every app server counts together. A view over its limit raises
``RateLimited`` (a ``Ratelimited``, so a ``PermissionDenied``); django-ratelimit's
``RatelimitMiddleware`` hands it to ``too_many_requests`` (``RATELIMIT_VIEW``), which answers
429 with ``Retry-After``: a friendly page for browsers, plain text for calendar clients.

Sign-in, sign-up and password reset are limited by allauth itself (``ACCOUNT_RATE_LIMITS``),
which uses the same client address (``ALLAUTH_TRUSTED_PROXY_COUNT``) and the same 429 page.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

#: IPv6 clients get a /64 each (one household or office): they cannot rotate addresses within it.
IPV6_PREFIX = 64
#: Retry-After when the counter cannot say (never less than a second).
DEFAULT_RETRY_AFTER = 60


class RateLimited(Ratelimited):
    """Too many requests; ``retry_after`` seconds until the window ends."""

    def __init__(self, retry_after=DEFAULT_RETRY_AFTER):
        super().__init__("Too many requests")
        self.retry_after = max(1, int(retry_after))


def _proxy_count():
    return int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)


def _parse_ip(value):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def client_ip(group=None, request=None):
    """The client's address: REMOTE_ADDR, or behind N trusted proxies the Nth X-Forwarded-For
    entry from the right (each proxy appends the address it got the request from, so entries
    further left were written by the client and prove nothing).

    Usable as a django-ratelimit key function (``key(group, request)``).
    """
    ip = None
    count = _proxy_count()
    forwarded = request.headers.get("X-Forwarded-For", "")
    if count > 0 and forwarded:
        entries = forwarded.split(",")
        if len(entries) >= count:
            ip = _parse_ip(entries[-count])
    if ip is None:
        ip = _parse_ip(request.META.get("REMOTE_ADDR", "")) or ipaddress.ip_address("0.0.0.0")
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip)


def user_key(group, request):
    """The signed-in user (the views limited by user require a login); else the client."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(group, request)}"


def limit(group, *limits, methods=None):
    """Limit a view: each of ``limits`` is (rate setting name, key function).

    ``methods``: only requests with these methods count (``None``: all). A request over any
    limit raises ``RateLimited`` and does not reach the view.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(settings, "RATELIMIT_ENABLE", True) and (methods is None or request.method in methods):
                for setting, key in limits:
                    usage = get_usage(
                        request,
                        group=f"{group}:{setting}",
                        key=key,
                        rate=getattr(settings, setting),
                        increment=True,
                    )
                    if usage is not None and usage["should_limit"]:
                        raise RateLimited(usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: Registering (POST only): per participant, and per client address against scripted sign-ups.
limit_registrations = limit(
    "register",
    ("RATELIMIT_REGISTER_PER_USER", user_key),
    ("RATELIMIT_REGISTER_PER_IP", client_ip),
    methods={"POST"},
)
#: Deleting an account asks for the password: a stolen session must not guess it freely.
limit_password_checks = limit("password-check", ("RATELIMIT_PASSWORD_CHECKS_PER_USER", user_key), methods={"POST"})
#: Calendar feeds, per client address (all feeds share one budget).
limit_feeds = limit("feeds", ("RATELIMIT_FEEDS_PER_IP", client_ip))
#: Attendee exports and printed lists: whole lists of personal data, per organiser.
limit_exports = limit("exports", ("RATELIMIT_EXPORTS_PER_USER", user_key))

#: Paths answered in plain text: machines (calendar clients), not people, read them.
PLAIN_PREFIXES = ("/feeds/",)


def too_many_requests(request, exception=None):
    """The 429 answer (``RATELIMIT_VIEW``), with Retry-After."""
    retry_after = getattr(exception, "retry_after", DEFAULT_RETRY_AFTER)
    if request.path.startswith(PLAIN_PREFIXES) or request.path.endswith(".ics"):
        response = HttpResponse(
            f"Too many requests. Try again in {retry_after} seconds.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response

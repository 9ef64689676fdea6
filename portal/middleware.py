"""Middleware for response headers and the request log."""

import logging
import time

from django.conf import settings

request_logger = logging.getLogger("portal.request")


class SecurityHeadersMiddleware:
    """Headers that Django's SecurityMiddleware does not set: Permissions-Policy.

    Set on every response (pages, fragments, feeds, exports, errors) unless a view set its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class RequestLogMiddleware:
    """One log record per request: method, path, status and duration, nothing personal.

    It replaces gunicorn's access log (switched off in gunicorn.conf.py), so that request lines
    go through the same formatters and redaction as every other record: the query string, the
    client's address and the user are never logged, and secret path segments (personal feed
    tokens, account keys) are masked by portal.logging. ``LOG_REQUESTS=false`` turns it off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        status = response.status_code
        # The health check runs every few seconds per load balancer: log it only when it fails.
        if request.path == "/healthz" and status == 200:
            return response
        # django.request logs server errors with their traceback; this line only counts them.
        level = logging.WARNING if status >= 500 else logging.INFO
        request_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={"method": request.method, "path": request.path, "status": status, "duration_ms": duration_ms},
        )
        return response


class HeadWithoutBodyMiddleware:
    """Answer HEAD with the headers of GET and no body (RFC 9110).

    Django's views render a body for HEAD too; gunicorn drops it, but logs a warning for
    every such request, and load balancers probe /healthz with HEAD all day.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                if not response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
                response.content = b""
        return response

from django.utils.http import urlencode


def wants_fragment(request):
    """True when htmx asks for a part of a page.

    htmx restoring history after the back button (with its history cache off) asks
    for the whole page, although it sends HX-Request too.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def url_without_empty_params(request):
    """The request's URL with empty query parameters left out, for the address bar."""
    params = [(key, value) for key, values in request.GET.lists() for value in values if value]
    return f"{request.path}?{urlencode(params)}" if params else request.path

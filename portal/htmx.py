def wants_fragment(request):
    """True when htmx asks for a part of a page.

    htmx restoring history after the back button (with its history cache off) asks
    for the whole page, although it sends HX-Request too.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted

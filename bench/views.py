"""Reference views: what Django itself costs, without the portal's pages.

``bare_view`` is the floor: routing, the middleware stack and a constant response.
``bare_list_view`` adds one query (20 upcoming events with their places) and a tiny
template, as a reference for the CPU a minimal database-backed page takes.
"""

from django.http import HttpResponse
from django.shortcuts import render

from events.models import Event

BARE_BODY = b"<!doctype html><title>bare</title><p>Hello from a bare Django view.</p>\n"


def bare_view(request):
    return HttpResponse(BARE_BODY, content_type="text/html; charset=utf-8")


def bare_list_view(request):
    events = Event.objects.published().upcoming().select_related("place").order_by("start", "pk")[:20]
    return render(request, "bench/bare_list.html", {"events": events})

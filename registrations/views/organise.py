"""TODO: being written."""

from django.http import HttpResponse


def attendees(request, **kwargs):
    return HttpResponse(status=501)


def attendee_add(request, **kwargs):
    return HttpResponse(status=501)


def attendee_check_in(request, **kwargs):
    return HttpResponse(status=501)


def attendee_cancel(request, **kwargs):
    return HttpResponse(status=501)


def attendee_confirm(request, **kwargs):
    return HttpResponse(status=501)


def door(request, **kwargs):
    return HttpResponse(status=501)

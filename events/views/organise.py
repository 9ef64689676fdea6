"""TODO: being written."""

from django.http import HttpResponse


def dashboard(request, **kwargs):
    return HttpResponse(status=501)


def event_create(request, **kwargs):
    return HttpResponse(status=501)


def event_edit(request, **kwargs):
    return HttpResponse(status=501)


def event_duplicate(request, **kwargs):
    return HttpResponse(status=501)


def event_publish(request, **kwargs):
    return HttpResponse(status=501)


def event_unpublish(request, **kwargs):
    return HttpResponse(status=501)


def event_cancel(request, **kwargs):
    return HttpResponse(status=501)


def event_questions(request, **kwargs):
    return HttpResponse(status=501)


def place_list(request, **kwargs):
    return HttpResponse(status=501)


def place_create(request, **kwargs):
    return HttpResponse(status=501)


def place_edit(request, **kwargs):
    return HttpResponse(status=501)

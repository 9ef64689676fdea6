"""TODO: being written."""

from django.http import HttpResponse


def message_create(request, **kwargs):
    return HttpResponse(status=501)


def message_detail(request, **kwargs):
    return HttpResponse(status=501)

"""TODO: being written."""

from django.http import HttpResponse


def export_csv(request, **kwargs):
    return HttpResponse(status=501)


def export_xlsx(request, **kwargs):
    return HttpResponse(status=501)


def print_list(request, **kwargs):
    return HttpResponse(status=501)

"""Exports of an event's attendee list (CSV, XLSX) and its printable list, for the event's team.

Each accepts the attendee list's filters (``q``, ``status``) so that "export what I see"
works, and each is written to the event's audit log: the list has left the portal.
"""

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from events.models import Event
from events.permissions import get_event_or_404, organiser_required
from registrations import exports, services
from registrations.forms import AttendeeFilterForm
from registrations.models import Registration

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _event(request, pk):
    return get_event_or_404(request.user, pk, Event.objects.select_related("organiser", "place"))


@require_GET
@organiser_required
def export_csv(request, pk):
    event = _event(request, pk)
    filters = AttendeeFilterForm(request.GET).filters
    columns, registrations = exports.export_rows(event, filters)
    services.record_export(event, by=request.user, detail="csv")
    response = StreamingHttpResponse(exports.csv_chunks(columns, registrations), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = exports.content_disposition(event, "csv")
    response["Cache-Control"] = "private, no-store"  # personal data: no copies in caches
    return response


@require_GET
@organiser_required
def export_xlsx(request, pk):
    event = _event(request, pk)
    filters = AttendeeFilterForm(request.GET).filters
    columns, registrations = exports.export_rows(event, filters)
    file = exports.write_xlsx(columns, registrations, title=event.title)
    services.record_export(event, by=request.user, detail="xlsx")
    response = FileResponse(file, content_type=XLSX_TYPE)
    response["Content-Disposition"] = exports.content_disposition(event, "xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@organiser_required
def print_list(request, pk):
    event = _event(request, pk)
    params = request.GET.copy()
    # The printed list is for the door: confirmed participants unless the organiser asks otherwise.
    if "status" not in params:
        params["status"] = Registration.Status.CONFIRMED
    filters = AttendeeFilterForm(params).filters
    rows = exports.print_rows(event, filters)
    services.record_export(event, by=request.user, detail="print")
    context = {
        "event": event,
        "rows": rows,
        "filters": filters,
        # A list of confirmed people needs no status column.
        "show_status": filters.get("status") not in ("confirmed", "checked_in", "not_checked_in"),
        "status_label": dict(AttendeeFilterForm.STATUS_CHOICES)[filters.get("status", "")],
        "tab": "attendees",
        "section": "events",
        "nav": "organise",
    }
    response = render(request, "organise/exports/print_list.html", context)
    response["Cache-Control"] = "private, no-store"
    return response

"""Exports of an event's attendee list (CSV, XLSX) and its printable list, for the event's team.

Each accepts the attendee list's filters (``q``, ``status``) so that "export what I see"
works, and each is written to the event's audit log: the list has left the portal.
"""

import csv
import io

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events.models import Event
from events.permissions import get_event_or_404, organiser_required
from portal.ratelimits import limit_exports
from registrations import exports, privacy, services
from registrations.forms import AttendeeFilterForm
from registrations.models import Registration

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _event(request, pk):
    return get_event_or_404(request.user, pk, Event.objects.select_related("organiser", "place"))


@require_GET
@organiser_required
@limit_exports
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
@limit_exports
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
@limit_exports
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


@require_GET
@organiser_required
@limit_exports
def catering(request, pk):
    """Dietary and accessibility needs of the confirmed participants as counts, without names:
    what the caterer and the venue need (also as CSV with ``?format=csv``)."""
    event = _event(request, pk)
    summary = privacy.catering_summary(event)
    if request.GET.get("format") == "csv":
        services.record_export(event, by=request.user, detail="catering")
        return _catering_csv(event, summary)
    context = {"event": event, "summary": summary, "tab": "attendees", "section": "events", "nav": "organise"}
    return render(request, "organise/attendees/catering.html", context)


def _catering_csv(event, summary):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([exports.safe_text(event.title)])
    writer.writerow([_("Confirmed participants"), summary["confirmed"]])
    writer.writerow([])
    writer.writerow([_("Dietary needs"), _("Number of people")])
    for need, count in summary["dietary"]:
        writer.writerow([exports.safe_text(need), count])
    writer.writerow([_("No dietary needs stated"), summary["without_dietary"]])
    writer.writerow([])
    writer.writerow([_("Accessibility needs"), _("Number of people")])
    for need, count in summary["accessibility"]:
        writer.writerow([exports.safe_text(need), count])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{event.slug}-catering.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response

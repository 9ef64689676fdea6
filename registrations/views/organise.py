"""The organiser's attendance pages: the attendee list, check-in (also at the door), adding,
cancelling and confirming people.

Every view starts from the user's teams (``events.permissions``): another team's event, and a
registration of another event, are a 404. State changes go through ``registrations.services``,
which also writes the audit log; a rule that stops a change is a 409 with its message.
"""

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from events.models import Event
from events.permissions import get_event_or_404, organiser_required
from portal.htmx import url_without_empty_params, wants_fragment
from registrations import queries, services
from registrations.forms import AddParticipantForm, AttendeeFilterForm, AttendeeSearchForm, ConfirmWaitlistedForm
from registrations.models import Question, Registration

ATTENDEES_PER_PAGE = 50
DOOR_PER_PAGE = 25
AUDIT_LOG_LATEST = 20
AUDIT_LOG_PER_PAGE = 100
ATTENDEES_TEMPLATE = "organise/attendees/attendees.html"
DOOR_TEMPLATE = "organise/attendees/door.html"


def _event(request, pk):
    return get_event_or_404(request.user, pk, Event.objects.select_related("organiser"))


def _registration(event, registration_pk):
    """A registration of this event (already limited to the user's teams), or a 404."""
    return get_object_or_404(Registration.objects.select_related("user"), event=event, pk=registration_pk)


def _context(event, tab="attendees", **extra):
    return {"event": event, "tab": tab, "section": "events", "nav": "organise", **extra}


def _safe_next(request, default):
    """The local page to return to (``next``), or ``default``: never another site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    local = url.startswith("/") and not url.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


def _name(registration):
    if registration.user is None:
        return _("Anonymised")  # by the retention rules, or the person deleted their account
    return registration.user.get_full_name() or registration.user.email


def _answer_text(question, value):
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if question.kind == Question.Kind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(value, str(value))
    return str(value)


# A registration id no real one reaches: reversed once per page, then filled in per row.
_ROW_PK = 2147483647


def _prepare_rows(event, registrations, questions=None):
    """Attach what a row shows, computed here once rather than by template tags per row.

    The attendee list has a CPU budget per row: each row gets its ``name``, its action URLs,
    its times formatted, and (with ``questions``) ``answer_list``, the answers in column order.
    """
    urls = {
        name: reverse(f"organise:{name}", args=[event.pk, _ROW_PK]).replace(str(_ROW_PK), "{}")
        for name in ("attendee_check_in", "attendee_cancel", "attendee_confirm")
    }
    months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]

    def short(moment, with_year=True):
        local = timezone.localtime(moment)
        year = f" {local.year}" if with_year else ""
        return f"{local.day} {months[local.month]}{year} {local:%H:%M}"

    for registration in registrations:
        registration.name = _name(registration)
        registration.check_in_url = urls["attendee_check_in"].format(registration.pk)
        registration.cancel_url = urls["attendee_cancel"].format(registration.pk)
        registration.confirm_url = urls["attendee_confirm"].format(registration.pk)
        registration.registered_display = short(registration.created_at)
        checked_in = registration.checked_in_at
        registration.checked_in_display = short(checked_in, with_year=False) if checked_in else ""
        registration.checked_in_time = f"{timezone.localtime(checked_in):%H:%M}" if checked_in else ""
        if questions is not None:
            answers = registration.answers if isinstance(registration.answers, dict) else {}
            registration.answer_list = [_answer_text(question, answers.get(question.key)) for question in questions]
    return registrations


def _row_labels():
    """The attendee row's words, translated once per page instead of by a tag in every row."""
    return {
        "confirmed": _("Confirmed"),
        "checked_in": _("Checked in"),
        "waitlisted": _("On the waiting list"),
        "cancelled": pgettext("registration status", "Cancelled"),
        "check_in": _("Check in"),
        "undo_check_in": _("Undo check-in"),
        "confirm": _("Confirm"),
        "cancel": _("Cancel registration"),
    }


def _filter_query(filters):
    """The valid filters as a query string, for the export and print links."""
    return urlencode({name: filters[name] for name in ("q", "status") if filters.get(name)})


@organiser_required
@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def attendees(request, pk):
    """The attendee list with figures, filters, actions and the audit log.

    Queries, whatever the number of registrations: the event, the figures, the questions,
    the page count and rows, and the audit log (plus the session and user of the request).
    """
    event = _event(request, pk)
    form = AttendeeFilterForm(request.GET)
    filters = form.filters
    rows = queries.attendee_list(event, filters)  # ranks for the page's rows only
    page = Paginator(rows, ATTENDEES_PER_PAGE).get_page(request.GET.get("page"))
    questions = list(event.questions.all())
    context = _context(
        event,
        form=form,
        page=page,
        registrations=_prepare_rows(event, queries.add_waitlist_ranks(page.object_list), questions),
        row_labels=_row_labels(),
        questions=questions,
        filter_query=_filter_query(filters),
        next_url=url_without_empty_params(request),
    )
    context["next_query"] = quote(context["next_url"], safe="")
    if wants_fragment(request):
        response = render(request, f"{ATTENDEES_TEMPLATE}#results", {**context, "fragment": True})
        return push_url(response, url_without_empty_params(request))
    context["counts"] = queries.attendance_counts(event)
    log = queries.audit_log(event)
    if request.GET.get("log") == "all":
        context["log_page"] = Paginator(log, AUDIT_LOG_PER_PAGE).get_page(request.GET.get("log_page"))
        entries = list(context["log_page"].object_list)
    else:
        entries = list(log[: AUDIT_LOG_LATEST + 1])  # one more: is there anything to "show all"?
        context["log_has_more"] = len(entries) > AUDIT_LOG_LATEST
        entries = entries[:AUDIT_LOG_LATEST]
    context["log_entries"] = _with_detail_labels(entries)
    return render(request, ATTENDEES_TEMPLATE, context)


def _with_detail_labels(entries):
    """The services write short English notes ("invited", "over capacity"): show them translated."""
    labels = {
        "invited": _("invited by e-mail"),
        "over capacity": _("over the capacity"),
        "invited over capacity": _("invited by e-mail, over the capacity"),
        "csv": "CSV",
        "xlsx": "XLSX",
        "print": _("printed list"),
        "catering": _("catering summary, without names"),
    }
    for entry in entries:
        entry.detail_label = labels.get(entry.detail, entry.detail)
    return entries


@organiser_required
@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def door(request, pk):
    """Check-in at the door: search confirmed participants and check them in, on a phone."""
    event = _event(request, pk)
    form = AttendeeSearchForm(request.GET)
    filters = {**form.filters, "status": "confirmed"}
    rows = queries.attendee_list(event, filters)  # confirmed only: nobody has a rank
    page = Paginator(rows, DOOR_PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        event,
        tab="door",
        form=form,
        page=page,
        registrations=_prepare_rows(event, list(page.object_list)),
        next_url=url_without_empty_params(request),
    )
    if wants_fragment(request):
        # "Show more" appends the next page's rows in place of itself; the search replaces the list.
        if request.htmx.target == "door-more":
            return render(request, f"{DOOR_TEMPLATE}#door-rows", {**context, "focus_first": True})
        response = render(request, f"{DOOR_TEMPLATE}#door-results", {**context, "fragment": True})
        return push_url(response, url_without_empty_params(request))
    context["counts"] = queries.attendance_counts(event)
    return render(request, DOOR_TEMPLATE, context)


@organiser_required
@require_POST
def attendee_check_in(request, pk, registration_pk):
    """Check a confirmed participant in (``undo=1``: undo it).

    htmx gets the changed row (of the list, or of the door view with ``view=door``), the new
    figures and an announcement; without JavaScript, back to the page the form was on.
    """
    event = _event(request, pk)
    registration = _registration(event, registration_pk)
    undo = request.POST.get("undo") == "1"
    at_door = request.POST.get("view") == "door"
    next_url = _safe_next(request, reverse("organise:door" if at_door else "organise:attendees", args=[event.pk]))
    error = None
    try:
        services.check_in(registration, by=request.user, undo=undo)
    except services.RegistrationError as exception:
        error = exception.message
    if error:
        announcement = error
    elif undo:
        announcement = _("Check-in of %(name)s undone.") % {"name": _name(registration)}
    else:
        announcement = _("%(name)s checked in.") % {"name": _name(registration)}
    status = 409 if error else 200
    if wants_fragment(request):
        (row,) = queries.add_waitlist_ranks(queries.attendee_list(event, {"status": "all"}).filter(pk=registration.pk))
        context = _context(
            event,
            registration=row,
            announcement=announcement,
            error=error,
            next_url=next_url,
            next_query=quote(next_url, safe=""),
            fragment=True,
        )
        context["counts"] = queries.attendance_counts(event)
        if at_door:
            _prepare_rows(event, [row])
            return render(request, f"{DOOR_TEMPLATE}#check-in-response", context, status=status)
        context["questions"] = list(event.questions.all())
        context["row_labels"] = _row_labels()
        _prepare_rows(event, [row], context["questions"])
        return render(request, f"{ATTENDEES_TEMPLATE}#check-in-response", context, status=status)
    if error:
        context = _context(event, tab="door" if at_door else "attendees", error=error, next_url=next_url)
        return render(request, "organise/attendees/problem.html", context, status=status)
    messages.success(request, announcement)
    return redirect(next_url)


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendee_add(request, pk):
    """Register someone by e-mail address; a person without an account is invited."""
    event = _event(request, pk)
    form = AddParticipantForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                registration = services.add_participant(event, by=request.user, **form.cleaned_data)
            except services.AlreadyRegistered as error:
                form.add_error("email", error.message)
                status = 409
            except services.OverCapacity as error:
                form.add_error("over_capacity", error.message)
                status = 409
            except services.RegistrationError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(request, _added_message(registration))
                return redirect("organise:attendees", pk=event.pk)
    context = _context(event, form=form, counts=queries.attendance_counts(event))
    return render(request, "organise/attendees/add.html", context, status=status)


def _added_message(registration):
    values = {"name": _name(registration), "email": registration.user.email}
    if registration.is_waitlisted:
        values["rank"] = queries.waitlist_rank(registration)
        return _("%(name)s is on the waiting list as number %(rank)d. We e-mailed %(email)s about it.") % values
    return _("%(name)s is registered and confirmed. We e-mailed %(email)s about it.") % values


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendee_cancel(request, pk, registration_pk):
    """Ask (GET), then cancel the registration (POST); the person is told by e-mail."""
    event = _event(request, pk)
    registration = _registration(event, registration_pk)
    next_url = _safe_next(request, reverse("organise:attendees", args=[event.pk]))
    context = _context(
        event, registration=registration, name=_name(registration), next_url=next_url, counts=None, error=None
    )
    if registration.status == Registration.Status.CANCELLED:
        context["error"] = _("This registration is already cancelled.")
    elif request.method == "POST":
        was_confirmed = registration.is_confirmed
        try:
            services.cancel(registration, by=request.user)
        except services.RegistrationError as error:
            context["error"] = error.message
        else:
            if was_confirmed:
                message = _("The registration of %(name)s is cancelled; they have been e-mailed. The seat is free.")
            else:
                message = _("%(name)s has left the waiting list; they have been e-mailed.")
            messages.success(request, message % {"name": context["name"]})
            return redirect(next_url)
    if context["error"]:
        return render(request, "organise/attendees/cancel.html", context, status=409)
    context["counts"] = queries.attendance_counts(event)
    return render(request, "organise/attendees/cancel.html", context)


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendee_confirm(request, pk, registration_pk):
    """Ask (GET), then move a person from the waiting list to confirmed (POST).

    When no seat is free the organiser must tick the over-capacity box; a person who is not
    first in the queue skips ahead, and the page says so.
    """
    event = _event(request, pk)
    registration = _registration(event, registration_pk)
    next_url = _safe_next(request, reverse("organise:attendees", args=[event.pk]))
    counts = queries.attendance_counts(event)
    form = ConfirmWaitlistedForm(request.POST if request.method == "POST" else None, counts=counts)
    context = _context(
        event, registration=registration, name=_name(registration), next_url=next_url, counts=counts, form=form
    )
    if not registration.is_waitlisted:
        context["error"] = services.NotWaitlisted.message
        return render(request, "organise/attendees/confirm.html", context, status=409)
    rank = queries.waitlist_rank(registration)
    context["ahead"] = rank - 1
    context["skips_ahead"] = (
        ngettext(
            "%(count)d person is ahead of %(name)s in the queue. Confirming %(name)s lets them skip the queue.",
            "%(count)d people are ahead of %(name)s in the queue. Confirming %(name)s lets them skip the queue.",
            rank - 1,
        )
        % {"count": rank - 1, "name": context["name"]}
        if rank > 1
        else ""
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_waitlisted(registration, by=request.user, over_capacity=form.cleaned_data["over_capacity"])
        except services.RegistrationError as error:
            context["error"] = error.message
            if isinstance(error, services.OverCapacity):
                context["counts"]["is_full"] = True  # show the box, also when the page thought a seat was free
                form.fields["over_capacity"].widget.attrs["required"] = True
            return render(request, "organise/attendees/confirm.html", context, status=409)
        messages.success(request, _("%(name)s is now confirmed and has been e-mailed.") % {"name": context["name"]})
        return redirect(next_url)
    return render(request, "organise/attendees/confirm.html", context)

"""The organiser workspace: the dashboard, events of the user's teams, and meeting places.

Every view is for organisers only (``organiser_required``) and reaches events only through
``get_event_or_404``, so another team's event is a 404.
"""

import copy

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events import queries, services
from events.forms import CancelEventForm, DuplicateForm, EventForm, PlaceForm, QuestionFormSet
from events.models import Event, MeetingPlace
from events.permissions import get_event_or_404, organiser_required

PLACES_PER_PAGE = 25


def _context(event=None, *, section="events", tab=None, **extra):
    return {"nav": "organise", "section": section, "event": event, "tab": tab, **extra}


def _event(request, pk):
    return get_event_or_404(request.user, pk, Event.objects.select_related("organiser", "place"))


def _back(request, event):
    """Where a publish or unpublish button sends the organiser back to."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("organise:event_edit", pk=event.pk)


@organiser_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    sections = ("upcoming", "drafts", "past")
    dashboard = queries.team_dashboard(request.user, pages={name: request.GET.get(name) for name in sections})
    for name in sections:
        _link_pages(request, name, getattr(dashboard, name))
    return render(request, "organise/events/dashboard.html", _context(dashboard=dashboard))


def _link_pages(request, name, page):
    """Previous/next links of one dashboard section that keep the other sections' pages."""

    def link(number):
        query = request.GET.copy()
        query[name] = number
        return f"?{query.urlencode()}#{name}"

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            event = form.save(commit=False)
            try:
                services.save_event(
                    event, form.changed_event_fields, by=request.user, themes=form.cleaned_data["themes"]
                )
            except services.EventRuleError as error:
                form.add_error(None, error.message)
                return render(request, "organise/events/event_form.html", _context(section="new", form=form), 409)
            messages.success(
                request, _("The draft “%(title)s” is saved. Publish it when it is ready.") % {"title": event.title}
            )
            return redirect("organise:event_edit", pk=event.pk)
        return render(request, "organise/events/event_form.html", _context(section="new", form=form), status=400)
    return render(request, "organise/events/event_form.html", _context(section="new", form=form))


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, pk):
    event = _event(request, pk)
    # The form changes its instance while validating: the page keeps showing the saved event.
    form = EventForm(request.POST or None, instance=copy.copy(event), user=request.user)
    context = _context(event, tab="edit", form=form)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "organise/events/event_form.html", context, status=400)
        try:
            mailing = services.save_event(
                form.instance,
                form.changed_event_fields,
                by=request.user,
                themes=form.cleaned_data["themes"],
                notify=form.notify,
                note=form.note,
            )
        except services.CapacityBelowConfirmed as error:  # someone registered meanwhile
            form.add_error("capacity", error.message)
            return render(request, "organise/events/event_form.html", context, status=409)
        if mailing is not None:
            messages.success(request, _("The changes are saved, and the participants are being e-mailed."))
        else:
            messages.success(request, _("The changes are saved."))
        return redirect("organise:event_edit", pk=event.pk)
    return render(request, "organise/events/event_form.html", context)


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_duplicate(request, pk):
    event = _event(request, pk)
    form = DuplicateForm(request.POST or None, initial={"start": services.next_occurrence(event)})
    context = _context(event, form=form)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "organise/events/duplicate.html", context, status=400)
        new_event = services.duplicate(event, by=request.user, start=form.cleaned_data["start"])
        messages.success(request, _("A copy is saved as a draft. Check it and publish it when it is ready."))
        return redirect("organise:event_edit", pk=new_event.pk)
    return render(request, "organise/events/duplicate.html", context)


@organiser_required
@require_POST
def event_publish(request, pk):
    event = _event(request, pk)
    try:
        services.publish(event, by=request.user)
    except services.EventRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” is published.") % {"title": event.title})
    return _back(request, event)


@organiser_required
@require_POST
def event_unpublish(request, pk):
    event = _event(request, pk)
    try:
        services.unpublish(event, by=request.user)
    except services.EventRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” is a draft again.") % {"title": event.title})
    return _back(request, event)


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_cancel(request, pk):
    event = get_event_or_404(request.user, pk, queries.with_seat_counts(Event.objects.select_related("organiser")))
    form = CancelEventForm(request.POST or None)
    context = _context(event, form=form)
    if event.status != Event.Status.PUBLISHED:
        context["error"] = (
            _("The event is already cancelled.")
            if event.is_cancelled
            else _("A draft has not been published; there is nothing to cancel.")
        )
        return render(request, "organise/events/cancel.html", context, status=409)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "organise/events/cancel.html", context, status=400)
        try:
            services.cancel_event(
                event, by=request.user, notify=form.cleaned_data["notify"], message=form.cleaned_data["message"]
            )
        except services.EventRuleError as error:
            context["error"] = error.message
            return render(request, "organise/events/cancel.html", context, status=409)
        messages.success(request, _("“%(title)s” is cancelled.") % {"title": event.title})
        return redirect("organise:dashboard")
    return render(request, "organise/events/cancel.html", context)


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_questions(request, pk):
    event = _event(request, pk)
    questions = event.questions.all()
    next_position = max((question.position for question in questions), default=0) + 1
    formset = QuestionFormSet(
        request.POST or None, instance=event, queryset=questions, initial=[{"position": next_position}]
    )
    context = _context(event, tab="questions", formset=formset)
    if request.method == "POST":
        if not formset.is_valid():
            return render(request, "organise/events/questions.html", context, status=400)
        formset.save()
        messages.success(request, _("The questions are saved."))
        url = redirect("organise:event_questions", pk=event.pk).url
        return redirect(f"{url}#new-question" if "add_another" in request.POST else url)
    return render(request, "organise/events/questions.html", context)


@organiser_required
@require_http_methods(["GET", "HEAD"])
def place_list(request):
    # NUL cannot be stored or searched for in PostgreSQL text: drop it rather than fail.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    page = Paginator(queries.workspace_places(query), PLACES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "organise/places/place_list.html", _context(section="places", page=page, query=query))


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def place_create(request):
    return _place_form(request, PlaceForm(request.POST or None))


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def place_edit(request, pk):
    place = get_object_or_404(MeetingPlace, pk=pk)
    return _place_form(request, PlaceForm(request.POST or None, instance=copy.copy(place)), place=place)


def _place_form(request, form, place=None):
    context = _context(section="places", form=form, place=place)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "organise/places/place_form.html", context, status=400)
        saved = services.save_place(form.save(commit=False), form.changed_data)
        messages.success(request, _("The meeting place “%(name)s” is saved.") % {"name": saved.name})
        return redirect("organise:place_list")
    return render(request, "organise/places/place_form.html", context)

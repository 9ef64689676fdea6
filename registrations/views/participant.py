"""A participant's pages: registering for an event and managing their registrations."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.queries import event_page
from portal.htmx import wants_fragment
from portal.ratelimits import limit_registrations
from registrations import queries, services
from registrations.forms import RegistrationForm
from registrations.models import Registration


def _status_message(registration):
    if registration.is_confirmed:
        return _("You are registered. A confirmation has been sent to %(email)s.") % {"email": registration.user.email}
    rank = queries.waitlist_rank(registration)
    return _(
        "The event is full. You are number %(rank)d on the waiting list; we will e-mail you if a seat frees up."
    ) % {"rank": rank}


@login_required
@limit_registrations
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    event = event_page(slug)
    existing = queries.registration_for(request.user, event)
    if existing is not None and existing.status != Registration.Status.CANCELLED:
        messages.info(request, _("You are already registered for this event."))
        return redirect(event)
    if not EmailAddress.objects.filter(user=request.user, verified=True).exists():
        return render(request, "registrations/verify_email_first.html", {"event": event}, status=403)
    questions = list(event.questions.all())
    initial = {"organisation": request.user.organisation}
    form = RegistrationForm(request.POST or None, questions=questions, initial=initial)
    status = 200 if event.registration_is_open() else 409
    if request.method == "POST" and status == 200:
        if form.is_valid():
            _remember_language(request.user)
            try:
                registration = services.register(
                    request.user,
                    event,
                    organisation=form.cleaned_data["organisation"],
                    dietary_needs=form.cleaned_data["dietary_needs"],
                    accessibility_needs=form.cleaned_data["accessibility_needs"],
                    sensitive_consent=form.cleaned_data["sensitive_consent"],
                    answers=form.answers(),
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(request, _status_message(registration))
                return redirect(event)
        else:
            status = 400
    return render(request, "registrations/register.html", {"event": event, "form": form}, status=status)


def _remember_language(user):
    """E-mails go out in the language the participant last used on the site."""
    language = translation.get_language()
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@login_required
@require_http_methods(["GET", "HEAD"])
def my_registrations(request):
    upcoming, past = queries.my_registrations(request.user)
    return render(request, "registrations/my_registrations.html", {"upcoming": upcoming, "past": past, "nav": "me"})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, pk):
    """Ask for confirmation (GET), then cancel (POST). Someone else's registration is a 404."""
    registration = get_object_or_404(
        Registration.objects.select_related("event__place").filter(user=request.user).active(), pk=pk
    )
    context = {"registration": registration, "event": registration.event}
    if request.method != "POST" and registration.event.has_started:
        context["error"] = services.CancellationClosed.message
        return render(request, "registrations/cancel.html", context, status=409)
    if request.method == "POST":
        try:
            services.cancel(registration)
        except services.RegistrationError as error:
            context["error"] = error.message
            return render(request, "registrations/cancel.html", context, status=409)
        if registration.is_waitlisted:
            messages.success(
                request, _("You have left the waiting list for %(title)s.") % {"title": registration.event.title}
            )
        else:
            messages.success(
                request, _("Your registration for %(title)s is cancelled.") % {"title": registration.event.title}
            )
        return redirect("registrations:my_registrations")
    template = "registrations/cancel.html#confirm" if wants_fragment(request) else "registrations/cancel.html"
    return render(request, template, context)

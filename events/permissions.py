"""Who may use the organiser workspace, and which events they may see.

Team membership is the permission boundary: an organiser sees and changes only the events
of their own teams. Superusers see every team (as in the admin). An event of another team
is a 404, so that its existence does not leak.
"""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from events.models import Event, Organiser
from portal.mfa import must_set_up_two_factor


def teams_for(user):
    """The organiser teams whose events ``user`` may manage."""
    if not user.is_authenticated:
        return Organiser.objects.none()
    if user.is_superuser:
        return Organiser.objects.all()
    return Organiser.objects.filter(members=user)


def events_for(user, queryset=None):
    """The events ``user`` may manage (each event has one team, so no duplicates)."""
    queryset = Event.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(organiser__members=user)


def is_organiser(user):
    return user.is_authenticated and (user.is_superuser or user.organiser_teams.exists())


def request_is_organiser(request):
    """``is_organiser(request.user)``, without asking the database again when
    ``organiser_required`` has already let this request in (the header's link asks too)."""
    return getattr(request, "_is_organiser", False) or is_organiser(request.user)


def organiser_required(view):
    """Only signed-in members of an organiser team, with two-factor authentication where required.

    Anonymous visitors go to the login page; participants get a 403.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_organiser(request.user):
            raise PermissionDenied(_("The organiser workspace is for members of an organiser team."))
        request._is_organiser = True
        if must_set_up_two_factor(request.user):
            messages.warning(
                request, _("Organisers must use two-factor authentication. Set it up to continue to the workspace.")
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


def get_event_or_404(user, pk, queryset=None):
    """One of ``user``'s team's events, or a 404 for every other id."""
    return get_object_or_404(events_for(user, queryset), pk=pk)

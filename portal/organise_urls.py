"""The organiser workspace under /organise/ (events of the user's teams only)."""

from django.urls import path

from events.views import organise as events
from registrations.views import exports, messages
from registrations.views import organise as attendance

app_name = "organise"

urlpatterns = [
    path("", events.dashboard, name="dashboard"),
    # Events
    path("events/new/", events.event_create, name="event_create"),
    path("events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:pk>/duplicate/", events.event_duplicate, name="event_duplicate"),
    path("events/<int:pk>/publish/", events.event_publish, name="event_publish"),
    path("events/<int:pk>/unpublish/", events.event_unpublish, name="event_unpublish"),
    path("events/<int:pk>/cancel/", events.event_cancel, name="event_cancel"),
    path("events/<int:pk>/questions/", events.event_questions, name="event_questions"),
    # Meeting places (shared by all teams)
    path("places/", events.place_list, name="place_list"),
    path("places/new/", events.place_create, name="place_create"),
    path("places/<int:pk>/edit/", events.place_edit, name="place_edit"),
    # Attendance
    path("events/<int:pk>/attendees/", attendance.attendees, name="attendees"),
    path("events/<int:pk>/attendees/add/", attendance.attendee_add, name="attendee_add"),
    path(
        "events/<int:pk>/attendees/<int:registration_pk>/check-in/",
        attendance.attendee_check_in,
        name="attendee_check_in",
    ),
    path("events/<int:pk>/attendees/<int:registration_pk>/cancel/", attendance.attendee_cancel, name="attendee_cancel"),
    path(
        "events/<int:pk>/attendees/<int:registration_pk>/confirm/",
        attendance.attendee_confirm,
        name="attendee_confirm",
    ),
    path("events/<int:pk>/check-in/", attendance.door, name="door"),
    # Exports and printing
    path("events/<int:pk>/attendees.csv", exports.export_csv, name="export_csv"),
    path("events/<int:pk>/attendees.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("events/<int:pk>/attendees/print/", exports.print_list, name="print_list"),
    # Dietary and accessibility needs as counts without names, for the caterer (page and CSV)
    path("events/<int:pk>/catering/", exports.catering, name="catering"),
    # Messages to participants
    path("events/<int:pk>/messages/new/", messages.message_create, name="message_create"),
    path("events/<int:pk>/messages/<int:mailing_pk>/", messages.message_detail, name="message_detail"),
]

from django.urls import path

from registrations.views import calendar, participant

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", participant.register, name="register"),
    path("me/registrations/", participant.my_registrations, name="my_registrations"),
    path("me/registrations/<int:pk>/cancel/", participant.cancel, name="cancel"),
    path("me/calendar/", calendar.my_calendar, name="my_calendar"),
]

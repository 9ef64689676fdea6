from django.urls import path

from events.views import feeds, public

app_name = "events"

urlpatterns = [
    path("events/", public.event_list, name="event_list"),
    path("events/<slug:slug>/", public.event_detail, name="event_detail"),
    path("events/<slug:slug>/event.ics", feeds.event_ics, name="event_ics"),
    path("places/", public.place_list, name="place_list"),
    path("places/<slug:slug>/", public.place_detail, name="place_detail"),
]

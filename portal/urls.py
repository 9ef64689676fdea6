from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from events.views import feeds as event_feeds
from portal import views, views_privacy
from registrations.views import calendar as registration_calendar

# The admin signs in through allauth: one login page, with its rate limits and two-factor step.
admin.site.login = secure_admin_login(admin.site.login)

# Swedish pages live at the contract's paths (/events/ …), English ones under /en/.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Calendar feeds: one address in every language, for calendar clients.
    path("feeds/events.ics", event_feeds.all_events, name="feed_all"),
    path("feeds/themes/<slug:slug>.ics", event_feeds.theme_events, name="feed_theme"),
    path("feeds/places/<slug:slug>.ics", event_feeds.place_events, name="feed_place"),
    # Only tokens of the shape we make reach the database.
    re_path(
        r"^feeds/personal/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$",
        registration_calendar.personal_feed,
        name="personal_feed",
    ),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path(_("accessibility/"), views.accessibility, name="accessibility"),
    path("", include("events.urls")),
    path("", include("registrations.urls")),
    path(_("privacy/"), views.privacy, name="privacy"),
    path("me/profile/", views.profile, name="profile"),
    path("me/data/", views_privacy.my_data, name="my_data"),
    path("me/delete/", views_privacy.delete_account, name="delete_account"),
    path("organise/", include("portal.organise_urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)

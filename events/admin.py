from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from events import services
from events.models import Event, MeetingPlace, Organiser, OrganiserMembership, Theme
from registrations import services as registration_services
from registrations.models import Question


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MeetingPlace)
class MeetingPlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_digital", "step_free_access", "hearing_loop", "accessible_toilet"]
    list_filter = ["is_digital", "municipality", "step_free_access", "hearing_loop", "accessible_toilet", "quiet_room"]
    search_fields = ["name", "street_address", "city"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "website", "is_digital"]}),
        (_("Address"), {"fields": ["street_address", "postal_code", "city", "municipality", "latitude", "longitude"]}),
        (
            _("Accessibility"),
            {
                "fields": [
                    "step_free_access",
                    "hearing_loop",
                    "accessible_toilet",
                    "quiet_room",
                    "public_transport_stop",
                    "accessibility_notes",
                ]
            },
        ),
    ]


class MembershipInline(admin.TabularInline):
    model = OrganiserMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organiser)
class OrganiserAdmin(admin.ModelAdmin):
    list_display = ["name", "email"]
    search_fields = ["name", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    inlines = [QuestionInline]
    list_display = ["title", "start", "place", "organiser", "format", "capacity", "status"]
    list_filter = ["status", "format", "themes", "organiser", "place__municipality"]
    list_select_related = ["place", "organiser"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["place", "organiser"]
    filter_horizontal = ["themes"]
    readonly_fields = ["sequence", "created_at", "updated_at", "published_at", "cancelled_at"]

    def save_model(self, request, obj, form, change):
        # Publishing, cancelling and moving go through the same rules as everywhere else.
        services.record_changes(obj, form.changed_data)
        super().save_model(request, obj, form, change)
        # A raised capacity gives its seats to the waiting list, not to newcomers.
        if change and {"capacity", "waitlist_enabled", "status"} & set(form.changed_data):
            registration_services.apply_capacity(obj)

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "themes", "status"]}),
        (_("Where and when"), {"fields": ["organiser", "place", "format", "online_url", "start", "end"]}),
        (
            _("Registration"),
            {"fields": ["capacity", "waitlist_enabled", "registration_opens", "registration_closes"]},
        ),
        (_("History"), {"fields": ["sequence", "created_at", "updated_at", "published_at", "cancelled_at"]}),
    ]

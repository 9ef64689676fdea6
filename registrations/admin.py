from django.contrib import admin

from registrations.models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "waitlist_position", "created_at", "checked_in_at"]
    list_filter = ["status", "event__organiser"]
    list_select_related = ["user", "event"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "event__title"]
    autocomplete_fields = ["user", "event"]
    readonly_fields = ["created_at", "updated_at"]

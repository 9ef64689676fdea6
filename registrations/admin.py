from django.contrib import admin

from registrations.models import AuditEntry, Mailing, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "waitlist_position", "created_at", "checked_in_at"]
    list_filter = ["status", "event__organiser"]
    list_select_related = ["user", "event"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "event__title"]
    autocomplete_fields = ["user", "event"]
    # Consent records are evidence: shown, never edited. An empty participant is anonymised.
    readonly_fields = [
        "consent_at",
        "consent_version",
        "sensitive_consent_at",
        "anonymised_at",
        "created_at",
        "updated_at",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: visible to administrators, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdmin):
    list_display = ["subject", "event", "kind", "audience", "status", "sent_count", "recipient_count", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["event"]
    search_fields = ["subject", "event__title"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "event", "registration", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor", "event", "registration__user"]
    search_fields = ["event__title", "actor__email"]
    date_hierarchy = "created_at"

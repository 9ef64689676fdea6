from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.forms import ProfileForm


@require_safe
@never_cache
def healthz(request):
    """200 when the database answers, 503 otherwise. For load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_safe
def home(request):
    return redirect("events:event_list")


@require_safe
def accessibility(request):
    """The accessibility statement (tillgänglighetsredogörelse) required by DOS-lagen."""
    template = f"portal/accessibility_{translation.get_language()}.html"
    return render(request, template, {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL})


@require_safe
def privacy(request):
    """How the portal handles personal data (personuppgiftspolicy)."""
    from registrations.models import CONSENT_VERSION

    context = {
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "consent_version": CONSENT_VERSION,
        "retention_sensitive_days": settings.RETENTION_SENSITIVE_DAYS,
        "retention_personal_days": settings.RETENTION_PERSONAL_DAYS,
    }
    return render(request, f"portal/privacy_{translation.get_language()}.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile")
        return render(request, "portal/profile.html", {"form": form, "nav": "me"}, status=400)
    return render(request, "portal/profile.html", {"form": form, "nav": "me"})

"""A person's own data (GDPR): see and download it (/me/data/), delete the account (/me/delete/).

The rules are in ``registrations.privacy``; these views only ask and answer.
"""

import json

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.forms import DeleteAccountForm
from portal.ratelimits import limit_password_checks
from registrations import privacy
from registrations.models import Registration


def _retention():
    return {
        "retention_sensitive_days": settings.RETENTION_SENSITIVE_DAYS,
        "retention_personal_days": settings.RETENTION_PERSONAL_DAYS,
    }


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def my_data(request):
    """What is stored about the person (GET); POST downloads all of it as JSON."""
    if request.method == "POST":
        data = privacy.export_user_data(request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"motesplatser-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    context = {
        "nav": "me",
        "registration_count": Registration.objects.filter(user=request.user).count(),
        **_retention(),
    }
    return render(request, "portal/my_data.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_password_checks
def delete_account(request):
    """Ask (GET), then delete the account after the password (or e-mail address) is confirmed."""
    user = request.user
    blockers = privacy.deletion_blockers(user)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    context = {"nav": "me", "form": form, "blockers": blockers, **_retention()}
    if blockers:
        return render(request, "portal/delete_account.html", context, status=409 if request.method == "POST" else 200)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/delete_account.html", context, status=400)
        logout(request)
        result = privacy.delete_user_data(user)
        return render(request, "portal/account_deleted.html", {"result": result})
    upcoming = Registration.objects.filter(user=user, event__start__gt=timezone.now()).active().count()
    context["upcoming_count"] = upcoming
    return render(request, "portal/delete_account.html", context)

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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

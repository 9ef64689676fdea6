"""The portal's URLs plus the bare reference views of the benchmark."""

from django.urls import path

from bench.views import bare_list_view, bare_view
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/bare/", bare_view, name="bench_bare"),
    path("bench/bare-list/", bare_list_view, name="bench_bare_list"),
    *portal_urlpatterns,
]

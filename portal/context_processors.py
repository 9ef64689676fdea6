from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from portal.htmx import url_without_empty_params


def portal(request):
    """The language switcher: the current page in each of the other languages."""
    current = translation.get_language()
    path = url_without_empty_params(request)
    return {
        "other_languages": [
            {"code": code, "name": translation.get_language_info(code)["name_local"], "url": translate_url(path, code)}
            for code, _name in settings.LANGUAGES
            if code != current
        ],
    }

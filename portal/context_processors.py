from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def portal(request):
    """The language switcher: the current page in each of the other languages."""
    current = translation.get_language()
    path = request.get_full_path()
    return {
        "other_languages": [
            {"code": code, "name": translation.get_language_info(code)["name_local"], "url": translate_url(path, code)}
            for code, _name in settings.LANGUAGES
            if code != current
        ],
    }

"""django-allauth texts whose Swedish translation the portal corrects.

Listed here so that ``makemessages`` keeps them in locale/sv; the portal's catalogue takes
precedence over allauth's own.
"""

from django.utils.translation import gettext_noop

TEXTS = [
    # allauth's Swedish says "log in" where the link leads to sign-up.
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
]

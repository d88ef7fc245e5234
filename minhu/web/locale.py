"""The interface language: Chinese unless the person chose English with the switch.

Django's ``LocaleMiddleware`` would also follow the browser's Accept-Language, so a
browser set up in English would open the platform in English. The hotline works in
Chinese: the language is the one picked with the switch in the top bar (kept in the
language cookie by ``set_language``), and zh-hans otherwise.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

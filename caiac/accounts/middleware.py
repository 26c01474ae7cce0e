from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Pages speak the signed-in person's saved language (the one their emails use).

    Runs after LocaleMiddleware and AuthenticationMiddleware. A language chosen explicitly in this
    browser (the language cookie) still wins; API clients choose with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language in dict(settings.LANGUAGES)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)

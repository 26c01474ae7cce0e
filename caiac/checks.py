from django.conf import settings
from django.core.checks import Error, register

from caiac.timezones import tzdata_problems


@register()
def tzdata_is_recent(app_configs, **kwargs):
    return [
        Error(problem, hint="pip install -c constraints.txt 'tzdata>=2026.3'", id="caiac.E001")
        for problem in tzdata_problems(settings.MIN_TZDATA_VERSION)
    ]

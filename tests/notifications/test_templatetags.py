from django.template import Context, Template
from django.utils import translation


def test_local_datetime_shows_casablanca_wall_clock_across_the_2026_switch():
    tpl = Template('{% load messages %}{{ when|local_datetime:"Y-m-d H:i" }}')
    with translation.override("fr"):
        before = tpl.render(Context({"when": "2026-09-19T08:00:00+00:00"}))
        after = tpl.render(Context({"when": "2026-09-21T08:00:00+00:00"}))
    assert before == "2026-09-19 09:00"  # still UTC+1
    assert after == "2026-09-21 08:00"  # permanent UTC+0 from 20 September (IANA 2026c)

"""The layout every role sees, on the demo data (`seed_demo`): nothing wider than the screen at
phone, tablet and laptop widths in French, Arabic and English, and a menu that fits on one row
where it unfolds (1200 px and wider) and behind a menu button below."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "caiac-demo-2026"
WIDTHS = (390, 768, 1200, 1366)
EVERY_PAGE_AT = (390, 1366)  # the other widths: the home page (the menu is the same everywhere)
LANGUAGES = ("fr", "ar", "en")
PAGES = {
    "fatima": ["/", "/lab/", "/lab/my-bookings/", "/trainings/mine/", "/incubation/"],
    "youssef": ["/", "/lab/my-bookings/", "/billing/"],
    "trainer": ["/", "/trainings/teach/", "/trainings/"],
    "staff": ["/", "/lab/today/", "/lab/approvals/", "/staff/", "/trainings/teach/"],
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def open_as(browser, live_server, username, language):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context, page


def overflowing(page) -> list[str]:
    """What sticks out of the screen, sideways (either side: Arabic overflows to the left)."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth > innerWidth
            ? [...document.querySelectorAll('body *')]
                .filter(e => { const r = e.getBoundingClientRect();
                               return r.width && (r.right > innerWidth + 1 || r.left < -1); })
                .slice(0, 5).map(e => e.tagName + '.' + e.className)
            : []"""
    )


@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_is_wider_than_the_screen_and_the_menu_fits_for_each_role(
    browser, live_server, demo, username
):
    for language in LANGUAGES:
        context, page = open_as(browser, live_server, username, language)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
            for url in PAGES[username] if width in EVERY_PAGE_AT else ["/"]:
                page.goto(url)
                where = f"{username} {language} {width}px {url}"
                assert page.locator("html").get_attribute("lang") == language, where
                assert overflowing(page) == [], where
                toggler = page.locator(".navbar-toggler")
                if width >= 1200:
                    # One row: the bar is no taller than the brand line, the menu button hidden.
                    assert page.locator(".site-header .navbar").bounding_box()["height"] < 70, where
                    assert not toggler.is_visible(), where
                else:
                    assert toggler.is_visible(), where
                    assert not page.locator("#site-menu .navbar-nav").is_visible(), where
        # The folded menu opens and shows every entry, "More" ones included, in one column.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/")
        page.click(".navbar-toggler")
        page.locator("#site-menu.show").wait_for()
        assert page.locator("#more-menu .dropdown-item").first.is_visible()
        assert overflowing(page) == []
        # On a wide screen "More" is a dropdown that opens on click.
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto("/")
        assert not page.locator("#more-menu").is_visible()
        page.click("#more-menu-toggle")
        page.locator("#more-menu .dropdown-item").first.wait_for(state="visible")
        context.close()

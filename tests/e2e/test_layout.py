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


def staff_pages() -> list[str]:
    """Every page a staff member works from, with an object of each kind the demo holds."""
    from billing.models import Invoice
    from booking.models import Closure, Equipment, OpeningHours
    from caiac.projects.models import Project
    from incubation.models import Call, Cohort, Incubatee, KpiReport, MentoringSession, Milestone

    call, incubatee = Call.objects.first(), Incubatee.objects.first()
    milestone, mentoring = Milestone.objects.first(), MentoringSession.objects.first()
    closure, hours = Closure.objects.first(), OpeningHours.objects.first()
    invoice, project = Invoice.objects.first(), Project.objects.first()
    return [
        "/", "/lab/today/", "/lab/approvals/", "/lab/closures/",
        f"/lab/closures/{closure.pk}/edit/", "/lab/usage/", "/staff/", "/staff/machines/",
        "/staff/machines/new/",
        f"/staff/machines/{Equipment.objects.first().pk}/edit/", "/staff/opening-hours/",
        f"/staff/opening-hours/{hours.pk}/edit/", f"/staff/opening-hours/{hours.pk}/delete/",
        "/staff/trainings/", "/staff/join-requests/", "/staff/reports/cluster/",
        "/incubation/", "/incubation/calls/new/", f"/incubation/calls/{call.pk}/edit/",
        f"/incubation/calls/{call.pk}/ranking/",
        f"/incubation/cohorts/{Cohort.objects.first().pk}/",
        f"/incubation/incubatees/{incubatee.pk}/",
        f"/incubation/incubatees/{incubatee.pk}/milestones/new/",
        f"/incubation/milestones/{milestone.pk}/edit/",
        f"/incubation/incubatees/{incubatee.pk}/mentoring/new/",
        f"/incubation/mentoring/{mentoring.pk}/edit/",
        f"/incubation/kpi-reports/{KpiReport.objects.first().pk}/amend/",
        "/billing/", "/billing/charges/", "/billing/price-list/",
        f"/billing/statement/{invoice.organisation_id}/", f"/billing/invoices/{invoice.pk}/",
        "/projects/", f"/projects/{project.pk}/", "/projects/funding-sources/",
    ]  # fmt: skip


def english_texts() -> list[str]:
    """The site's English labels and sentences that Arabic says otherwise (its catalogue), but
    not the languages' own names ("English" in a choice of languages is right)."""
    from django.utils.translation import trans_real

    from caiac.accounts.models import Language

    endonyms = set(Language.labels)
    catalogue = trans_real.translation("ar")._catalog
    return sorted(
        msgid
        for msgid, text in catalogue.items()
        if isinstance(msgid, str) and "\x04" not in msgid and "%" not in msgid
        and len(msgid) > 3 and text != msgid and msgid not in endonyms
    )  # fmt: skip


def left_in_english_or_reversed(page, english: list[str]) -> dict[str, list[str]]:
    """Text of the page (main) that is exactly one of the site's English texts, and time ranges
    joined by a dash not isolated left to right, which Arabic draws "10:00-09:00" (a bare
    hyphen between two times holds them together: "09:00-10:00" stays as it is)."""
    return page.evaluate(
        r"""(english) => {
          const known = new Set(english), out = {english: [], reversed: []};
          const main = document.querySelector('main');
          const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const text = n.textContent.trim(), el = n.parentElement;
            if (!text || el.closest('script, style, textarea')) continue;
            if (known.has(text)) out.english.push(text);
            const range = /\d\d:\d\d(\s*\u2013\s*|\s+-\s*|\s*-\s+)\d\d:\d\d/;
            if (range.test(text) && !el.closest('[dir=ltr]')) out.reversed.push(text);
          }
          return out;
        }""",
        english,
    )


def test_every_staff_page_fits_a_phone_in_arabic_and_leaves_nothing_in_english(
    browser, live_server, demo
):
    from caiac.accounts.models import User

    User.objects.filter(username="staff").update(language="ar")  # the person's language wins
    english = english_texts()
    context, page = open_as(browser, live_server, "staff", "ar")
    page.set_viewport_size({"width": 390, "height": 844})
    for url in staff_pages():
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("html").get_attribute("dir") == "rtl", url
        assert overflowing(page) == [], url
        assert left_in_english_or_reversed(page, english) == {"english": [], "reversed": []}, url
    context.close()

"""axe-core (vendored under tests/e2e/vendor/) on the main pages of the demo, in French and
Arabic, on a laptop and on a phone: no critical or serious violation. The same run photographs
the pages; with CAIAC_UPDATE_SCREENSHOTS=1 the photos replace those of docs/screenshots/."""

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
DEMO_PASSWORD = "caiac-demo-2026"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("critical", "serious")


def machine_url() -> str:
    from booking import demo
    from booking.models import Equipment

    return f"/lab/machines/{Equipment.objects.get(name=demo.MIXER).pk}/"


# (person, page name in docs/screenshots/, address)
PAGES = [
    ("fatima", "member-home", lambda: "/"),
    ("fatima", "machine-calendar", machine_url),
    ("fatima", "my-bookings", lambda: "/lab/my-bookings/"),
    ("fatima", "trainings", lambda: "/trainings/"),
    ("fatima", "my-trainings", lambda: "/trainings/mine/"),
    ("fatima", "incubation", lambda: "/incubation/"),
    ("fatima", "notifications", lambda: "/notifications/"),
    ("trainer", "trainer-home", lambda: "/"),
    ("trainer", "sessions-i-run", lambda: "/trainings/teach/"),
    ("staff", "staff-home", lambda: "/"),
    ("staff", "lab-today", lambda: "/lab/today/"),
    ("staff", "approvals", lambda: "/lab/approvals/"),
    ("jury1", "juror-home", lambda: "/"),
]
PHOTOGRAPHED = {"member-home", "machine-calendar", "my-bookings", "trainings", "my-trainings",
                "trainer-home", "sessions-i-run", "staff-home"}  # fmt: skip
# The browser's own language, as a person reading the page would have it: chromium draws date
# and time inputs in its interface language ("jj/mm/aaaa", not "mm/dd/yyyy", on a French page),
# which it takes from the environment, given Debian's chromium-l10n (else it stays in English).
BROWSER_LOCALES = {"fr": "fr_FR", "ar": "ar_MA"}


@pytest.fixture
def monday_morning():
    """Monday 7 December 2026, 09:30 in Casablanca, the clock running: the demo (relative to
    its day) and so the photographs are the same whenever they are taken."""
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def demo(db, monday_morning):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def updating_screenshots() -> bool:
    return os.environ.get("CAIAC_UPDATE_SCREENSHOTS") == "1"


def shots_dir(tmp_path) -> Path:
    if updating_screenshots():
        return Path(settings.BASE_DIR) / "docs" / "screenshots"
    return tmp_path


def keep_small(shot: Path) -> None:
    """A page has few colours: a 128-colour palette keeps it sharp at a third of the size
    (the photographs are committed, and re-taken whenever the pages change)."""
    from PIL import Image  # Pillow comes with fpdf2 (invoices)

    with Image.open(shot) as image:
        small = image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
    small.save(shot, optimize=True)


@pytest.fixture
def browser_in(browser):
    """A chromium of its own per language (the session's browser stays in English)."""
    launched = []

    def launch(language):
        locale = BROWSER_LOCALES[language]
        env = {**os.environ, "LANG": f"{locale}.UTF-8", "LANGUAGE": locale}
        launched.append(
            browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        )
        return launched[-1]

    yield launch
    for each in launched:
        each.close()


def signed_in(browser, live_server, username, language):
    # axe is injected as a script element: the page's own CSP (tested elsewhere) would refuse it.
    context = browser.new_context(
        base_url=live_server.url,
        viewport=LAPTOP,
        bypass_csp=True,
        locale=BROWSER_LOCALES[language].replace("_", "-"),
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context, page


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
        for v in results
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_main_pages_have_no_serious_accessibility_violation_and_are_photographed(
    browser_in, live_server, demo, tmp_path, language
):
    browser = browser_in(language)
    out = shots_dir(tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    contexts = {}
    for username, name, address in PAGES:
        if username not in contexts:
            contexts[username] = signed_in(browser, live_server, username, language)
        page = contexts[username][1]
        for viewport, width in ((LAPTOP, 1366), (PHONE, 390)):
            page.set_viewport_size(viewport)
            page.goto(address())
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            if name in PHOTOGRAPHED:
                shot = out / f"{name}-{language}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                if updating_screenshots():
                    keep_small(shot)
            if width == 1366 or username == "fatima":
                problems = axe_violations(page)
                if problems:
                    found[f"{name} {width}px"] = problems
    for context, _page in contexts.values():
        context.close()
    assert found == {}

import pytest

from caiac.notifications.services import message_schedule

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_reads_a_notification_and_the_badge_goes_down(page, sign_in, member):
    for n in (1, 2):
        message_schedule(
            recipient=member,
            kind="notifications.announcement",
            dedup_key=f"e2e:{n}",
            context={"title": f"Annonce {n}", "text": "Atelier de formulation jeudi"},
        )
    sign_in(member)
    assert page.locator("#unread-badge").inner_text() == "2"
    page.click(".site-header a[href='/notifications/']")
    assert page.locator(".notification.unread").count() == 2

    page.locator(".notification.unread button").first.click()
    page.wait_for_function("() => document.querySelectorAll('.notification.unread').length === 1")
    # The badge follows without a reload (the read response triggers its refresh).
    page.wait_for_function("() => document.querySelector('#unread-badge').innerText.trim() === '1'")
    page.reload()
    assert page.locator("#unread-badge").inner_text() == "1"

import pytest


@pytest.mark.django_db
def test_the_api_docs_render_under_the_content_security_policy(page):
    page.set_default_timeout(60_000)  # Swagger UI's bundle and the whole schema, built live
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 1

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from caiac import access
from caiac.accounts.services import user_set_language


@login_required
def home(request):
    organisations = access.organisations_visible_to(request.user)
    return render(
        request,
        "frontend/home.html",
        {"organisations": organisations[:20]},
    )


@require_POST
def set_language(request):
    """Django's language switch, which also saves the choice on the person's profile."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="frontend/accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from caiac.accounts.selectors import organisations_visible_to


@login_required
def home(request):
    organisations = organisations_visible_to(request.user)
    if not request.user.is_cluster_staff:
        organisations = organisations.order_by("name")
    return render(
        request,
        "frontend/home.html",
        {"organisations": organisations[:20]},
    )


urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="frontend/accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

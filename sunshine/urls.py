from django.contrib import admin
from django.urls import include, path

from sunshine.public import views as public_views

urlpatterns = [
    path("", public_views.home, name="home"),
    path("public/", include("sunshine.public.urls")),
    path("accounts/", include("sunshine.accounts.urls")),
    path("portal/", include("sunshine.portal.urls")),
    path("console/", include("sunshine.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

from sunshine.api.api import api as api_v1
from sunshine.public import views as public_views

# A database that is away answers 503 with Retry-After instead of a 500.
handler500 = "sunshine.operations.outage.server_error"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("public/", include("sunshine.public.urls")),
    path("accounts/", include("sunshine.accounts.urls")),
    path("portal/", include("sunshine.portal.urls")),
    path("console/verification/", include("sunshine.verification.urls")),
    path("console/", include("sunshine.console.urls")),
    path("api/v1/", api_v1.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("sunshine.operations.urls")),
]

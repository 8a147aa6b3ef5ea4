from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

import accounts.urls
import perks.urls
import scoring.urls
from accounts import views as account_views
from portal import views as portal_views

# A person's control over everything the apps hold about them (portal.views).
privacy_urlpatterns = [
    path("", portal_views.data_control, name="data"),
    path("export/", portal_views.data_export, name="data_export"),
    path("delete/", portal_views.account_delete, name="delete"),
]

api_urlpatterns = [
    *accounts.urls.api_urlpatterns,
    *scoring.urls.api_urlpatterns,
    *perks.urls.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (a JSON answer, a PDF): the same one.
    path("favicon.ico", portal_views.favicon, name="favicon"),
    path("accounts/data/", include((privacy_urlpatterns, "privacy"))),
    path("accounts/profile/", include((scoring.urls.profile_urlpatterns, "profile"))),
    path("accounts/", include("accounts.urls")),
    path("", include("scoring.urls")),
    path("", include("perks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urlpatterns, "api"))),
]

# A database outage is a 503 (page or JSON), and the API's other errors stay JSON.
handler500 = "core.middleware.server_error"
handler404 = "portal.views.page_not_found"

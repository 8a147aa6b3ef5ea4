from django.urls import path

from . import apis, views

app_name = "scoring"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/opt-in/", views.opt_in, name="opt_in"),
    path("dashboard/opt-out/", views.opt_out, name="opt_out"),
    path("dashboard/disputes/", views.dispute_create, name="dispute_create"),
]

# The person's profile, mounted at /accounts/profile/ by portal/urls.py (namespace "profile").
profile_urlpatterns = [
    path("", views.profile, name="show"),
    path("identity/", views.profile_identity, name="identity"),
    path("declaration/", views.profile_declaration, name="declaration"),
    path("contacts/<int:pk>/", views.profile_contact, name="contact"),
    path("sources/", views.profile_source, name="source"),
]

api_urlpatterns = [
    path("me/opt-in/", apis.OptInApi.as_view(), name="opt-in"),
    path("me/opt-out/", apis.OptOutApi.as_view(), name="opt-out"),
    path("me/score/", apis.ScoreApi.as_view(), name="score"),
    path("me/score/history/", apis.ScoreHistoryApi.as_view(), name="score-history"),
    path("me/identity/", apis.IdentityApi.as_view(), name="identity"),
    path("me/score/simulate/", apis.ScoreSimulateApi.as_view(), name="score-simulate"),
    path("me/disputes/", apis.MyDisputesApi.as_view(), name="my-disputes"),
    path("ingest/events/", apis.IngestEventsApi.as_view(), name="ingest-events"),
    path("partner/notices/", apis.PartnerNoticesApi.as_view(), name="partner-notices"),
    path(
        "partner/identity/requests/",
        apis.PartnerIdentityRequestsApi.as_view(),
        name="partner-identity-requests",
    ),
    path(
        "partner/identity/requests/<int:pk>/",
        apis.PartnerIdentityDecisionApi.as_view(),
        name="partner-identity-decision",
    ),
]

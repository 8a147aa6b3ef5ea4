from django.urls import path

from . import apis, views

app_name = "scoring"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/opt-in/", views.opt_in, name="opt_in"),
    path("dashboard/opt-out/", views.opt_out, name="opt_out"),
    path("dashboard/disputes/", views.dispute_create, name="dispute_create"),
]

api_urlpatterns = [
    path("me/opt-in/", apis.OptInApi.as_view(), name="opt-in"),
    path("me/opt-out/", apis.OptOutApi.as_view(), name="opt-out"),
    path("me/score/", apis.ScoreApi.as_view(), name="score"),
    path("me/score/history/", apis.ScoreHistoryApi.as_view(), name="score-history"),
    path("me/score/simulate/", apis.ScoreSimulateApi.as_view(), name="score-simulate"),
    path("ingest/events/", apis.IngestEventsApi.as_view(), name="ingest-events"),
]

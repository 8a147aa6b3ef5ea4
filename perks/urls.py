from django.urls import path

from . import apis, views
from .console import apis as console_apis
from .console import views as console_views

app_name = "perks"

consumer_urlpatterns = [
    path("perks/", views.perk_list, name="list"),
    path("perks/<int:pk>/claim/", views.claim_confirm, name="claim_confirm"),
    path("claims/", views.my_claims, name="my_claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/cancel/", views.claim_cancel, name="claim_cancel"),
    path("goal/", views.goal_set, name="goal_set"),
    path("goal/clear/", views.goal_clear, name="goal_clear"),
    path("claims/<int:pk>/due-back.ics", views.claim_calendar, name="claim_calendar"),
    path("shares/", views.shares, name="shares"),
    path("shares/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    # Public, no login: the link a person gives to whoever they choose.
    path("s/<str:token>/", views.share_public, name="share_public"),
]

console_urlpatterns = [
    path("merchant/", console_views.console, name="console"),
    path("merchant/promotions/new/", console_views.console_promotion_create, name="console_promotion_create"),
    path("merchant/promotions/<int:pk>/", console_views.console_promotion, name="console_promotion"),
    path(
        "merchant/promotions/<int:pk>/edit/",
        console_views.console_promotion_edit,
        name="console_promotion_edit",
    ),
    path(
        "merchant/promotions/<int:pk>/status/",
        console_views.console_promotion_status,
        name="console_promotion_status",
    ),
    path("merchant/promotions/<int:pk>/claims/", console_views.console_claims, name="console_claims"),
    path(
        "merchant/promotions/<int:pk>/claims.csv", console_views.console_claims_csv, name="console_claims_csv"
    ),
    path("merchant/counter/", console_views.console_verify, name="console_verify"),
    path("merchant/counter/hand-over/", console_views.console_hand_over, name="console_hand_over"),
    path(
        "merchant/claims/<int:pk>/undo-hand-over/",
        console_views.console_hand_over_undo,
        name="console_hand_over_undo",
    ),
    path("merchant/claims/<int:pk>/", console_views.console_claim, name="console_claim"),
    path("merchant/claims/<int:pk>/mark/", console_views.console_claim_mark, name="console_claim_mark"),
    path("merchant/webhooks/", console_views.console_webhooks, name="console_webhooks"),
    path("merchant/webhooks/<int:pk>/", console_views.console_webhook, name="console_webhook"),
    path(
        "merchant/webhooks/<int:pk>/disable/",
        console_views.console_webhook_disable,
        name="console_webhook_disable",
    ),
]

urlpatterns = [*consumer_urlpatterns, *console_urlpatterns]

# Mounted under /api/v1/ in the "api" namespace by portal/urls.py (paths of shared/api.md).
api_urlpatterns = [
    path("perks/", apis.PerksApi.as_view(), name="perks"),
    path("perks/<int:pk>/claim/", apis.ClaimCreateApi.as_view(), name="perk-claim"),
    path("me/claims/", apis.MyClaimsApi.as_view(), name="my-claims"),
    path("me/claims/<int:pk>/cancel/", apis.MyClaimCancelApi.as_view(), name="my-claim-cancel"),
    path("me/shares/", apis.MySharesApi.as_view(), name="my-shares"),
    path("me/shares/<int:pk>/", apis.MyShareApi.as_view(), name="my-share"),
    path("shares/<str:token>/", apis.SharePublicApi.as_view(), name="share-public"),
    path("merchant/promotions/", console_apis.MerchantPromotionsApi.as_view(), name="merchant-promotions"),
    path(
        "merchant/promotions/<int:pk>/",
        console_apis.MerchantPromotionApi.as_view(),
        name="merchant-promotion",
    ),
    path(
        "merchant/promotions/<int:pk>/audience/",
        console_apis.MerchantAudienceApi.as_view(),
        name="merchant-promotion-audience",
    ),
    path(
        "merchant/promotions/<int:pk>/claims/",
        console_apis.MerchantPromotionClaimsApi.as_view(),
        name="merchant-promotion-claims",
    ),
    path(
        "merchant/claims/<int:pk>/mark/",
        console_apis.MerchantClaimMarkApi.as_view(),
        name="merchant-claim-mark",
    ),
    path(
        "merchant/claims/<int:pk>/undo-hand-over/",
        console_apis.MerchantHandOverUndoApi.as_view(),
        name="merchant-claim-undo-hand-over",
    ),
    path("merchant/verify/", console_apis.MerchantVerifyApi.as_view(), name="merchant-verify"),
    path("merchant/hand-over/", console_apis.MerchantHandOverApi.as_view(), name="merchant-hand-over"),
]

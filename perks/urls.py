from django.urls import path

from . import apis, views

app_name = "perks"

consumer_urlpatterns = [
    # Consumer pages (perks, claims, shares) go here.
]

console_urlpatterns = [
    path("merchant/", views.console, name="console"),
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
    path("merchant/promotions/", apis.MerchantPromotionsApi.as_view(), name="merchant-promotions"),
    path("merchant/promotions/<int:pk>/", apis.MerchantPromotionApi.as_view(), name="merchant-promotion"),
    path(
        "merchant/promotions/<int:pk>/audience/",
        apis.MerchantAudienceApi.as_view(),
        name="merchant-promotion-audience",
    ),
    path(
        "merchant/promotions/<int:pk>/claims/",
        apis.MerchantPromotionClaimsApi.as_view(),
        name="merchant-promotion-claims",
    ),
    path("merchant/claims/<int:pk>/mark/", apis.MerchantClaimMarkApi.as_view(), name="merchant-claim-mark"),
    path("merchant/verify/", apis.MerchantVerifyApi.as_view(), name="merchant-verify"),
]

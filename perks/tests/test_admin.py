"""perks/admin.py: the platform's read-mostly view of promotions, claims, shares and counter checks."""

import pytest

from perks import services
from perks.models import Promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "a-Long-pass-950")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["promotion", "claim", "share", "countercheck"])
def test_each_changelist_renders(staff_client, make_promotion, ann, merchant, model):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    services.share_create(person=ann, show="band", expires_in_days=3)

    response = staff_client.get(f"/admin/perks/{model}/", {"q": claim.code[:4]})

    assert response.status_code == 200


def test_a_promotion_page_shows_but_never_writes_the_stock(staff_client, make_promotion):
    promotion = make_promotion(quantity=5)

    page = staff_client.get(f"/admin/perks/promotion/{promotion.pk}/change/")
    staff_client.post(f"/admin/perks/promotion/{promotion.pk}/change/", {"remaining": 500, "quantity": 900})

    assert page.status_code == 200
    assert Promotion.objects.values_list("quantity", "remaining").get() == (5, 5)


def test_the_platform_can_pause_a_promotion_through_the_service(staff_client, make_promotion):
    promotion = make_promotion()

    staff_client.post("/admin/perks/promotion/", {"action": "pause", "_selected_action": [promotion.pk]})

    assert Promotion.objects.get().status == "paused"

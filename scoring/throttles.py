"""The partners' throttle: data partners are counted per API key holder, not per address."""

from typing import TYPE_CHECKING

from core.throttles import SettingsRateThrottle

if TYPE_CHECKING:
    # Types only: rest_framework.views imports this module (its default throttle classes).
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PartnerIngestThrottle(SettingsRateThrottle):
    """Data partners, counted per partner (that is, per API key holder)."""

    scope = "partner_ingest"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        # Imported here: DRF imports the default throttles while the app registry may still load.
        from .models import Partner

        partner = request.auth if isinstance(request.auth, Partner) else None
        if partner is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": partner.pk}

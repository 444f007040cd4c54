"""Rate limits of the API (kept apart from core.api: DRF imports throttle classes while it loads views)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """The anonymous rate of the settings (API_ANON_RATE), read when the request comes, not at import."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

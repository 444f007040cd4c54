"""Small model helpers shared by apps."""

from django.utils.translation import get_language


def localized(obj, base: str) -> str:
    """`obj.<base>_en` in English (falling back to French), `obj.<base>_fr` otherwise."""
    fr = getattr(obj, f"{base}_fr", "") or ""
    if (get_language() or "fr").startswith("en"):
        return getattr(obj, f"{base}_en", "") or fr
    return fr

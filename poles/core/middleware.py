"""Middleware of the project."""

from django.utils import translation


class ApiLanguageMiddleware:
    """Answer the API in the caller's language.

    Pages carry their language in the URL (French at /, English under /en/), so Django's
    LocaleMiddleware pins un-prefixed paths to French. API clients instead say which language
    they want with `Accept-Language` (or `?lang=`), and errors must come back in it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            wanted = request.GET.get("lang") or translation.get_language_from_request(
                request, check_path=False
            )
            try:
                supported = translation.get_supported_language_variant(wanted)
            except LookupError:
                supported = None
            if supported:
                translation.activate(supported)
                request.LANGUAGE_CODE = supported
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            response.headers.setdefault("Content-Language", translation.get_language())
        return response

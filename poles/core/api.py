"""API plumbing shared by every app: one error format, pagination, restricted viewsets, ETags.

Every error answers with the same JSON envelope:
`{"status": 400, "code": "invalid", "message": "...", "errors": {"field": ["..."]}}`
in the caller's language (Accept-Language), so clients handle one shape.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseNotModified
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import StaleObject, TransitionNotAllowed
from .permissions import CHANGE, VIEW, restrict


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = StaleObject.message
    default_code = "stale"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def exception_handler(exc, context):
    """Turn every error (DRF's, Django's, ours) into the one envelope."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, StaleObject):
        exc = PreconditionFailed()
    elif isinstance(exc, TransitionNotAllowed):
        exc = (
            exceptions.PermissionDenied(exc.message)
            if exc.code == "permission_denied"
            else Conflict(exc.message, code=exc.code)
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "status": response.status_code,
            "code": "invalid",
            "message": str(_("Some values are not valid: nothing was saved.")),
            "errors": _field_errors(detail),
        }
    else:
        message = detail.get("detail", "") if isinstance(detail, dict) else detail
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
        body = {"status": response.status_code, "code": code, "message": str(message), "errors": {}}
    response.data = body
    return response


class RestrictedViewSetMixin:
    """Querysets restricted by the permission layer: reads see the VIEW scope, writes the CHANGE
    scope. An object outside the VIEW scope is 404; visible but not changeable is 403."""

    base_queryset = None

    def get_base_queryset(self):
        return self.base_queryset.all()

    def get_queryset(self):
        return restrict(self.get_base_queryset(), self.request.user, VIEW)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            changeable = restrict(self.get_base_queryset(), self.request.user, CHANGE)
            if not changeable.filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied()
        return obj


class ETagMixin:
    """ETag on reads; on writes, an If-Match that no longer matches answers 412 and writes nothing."""

    def check_if_match(self, obj) -> int | None:
        header = self.request.headers.get("If-Match")
        if not header:
            return None
        if header.strip() != obj.etag:
            raise PreconditionFailed()
        return obj.version

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = obj.etag
        return response


class ConditionalGetMixin:
    """Conditional GET on every read: an ETag on each 200 answer (the row's version-based ETag, or
    a hash of the body for lists), and 304 Not Modified when the client's If-None-Match matches."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False) or not hasattr(response, "render"):
            return response  # a file download (FileResponse) keeps its own headers
        if not response.has_header("ETag"):
            response.render()
            response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",") if tag.strip()]
        if response["ETag"] in wanted or "*" in wanted:
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = response["ETag"]
            return not_modified
        return response


class ReadOnlyViewSet(ConditionalGetMixin, RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """A public or restricted read endpoint with filters and paging."""


class ServiceModelViewSet(
    ConditionalGetMixin,
    ETagMixin,
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read, create and update through services (validated, audited, optimistic-locked).

    Subclasses implement `perform_service_create(data)` and `perform_service_update(obj, data,
    expected_version)` and return the saved object.
    """

    def perform_service_create(self, data):
        raise NotImplementedError

    def perform_service_update(self, obj, data, expected_version):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.perform_service_create(serializer.validated_data)
        response = Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)
        response["ETag"] = obj.etag
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        expected = self.check_if_match(obj)
        serializer = self.get_serializer(obj, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = self.perform_service_update(obj, serializer.validated_data, expected)
        response = Response(self.get_serializer(saved).data)
        response["ETag"] = saved.etag
        return response

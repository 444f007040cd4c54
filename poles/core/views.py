"""View bases: lists filtered by one FilterSet, restricted by the permission layer, htmx-aware."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.views.generic import TemplateView

from . import downloads
from .forms import PolesForm

_STYLED: dict[type, type] = {}


def styled_filterset(filterset_class: type) -> type:
    """The FilterSet whose form renders with the design system's field groups (the API keeps the
    plain one): same filters, same Meta, only the form's base class is `PolesForm`."""
    if filterset_class not in _STYLED:

        @classmethod
        def get_form_class(cls):
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            return type(f"{cls.__name__}Form", (PolesForm,), fields)

        _STYLED[filterset_class] = type(
            filterset_class.__name__, (filterset_class,), {"get_form_class": get_form_class,
                                                           "__module__": filterset_class.__module__}
        )  # fmt: skip
    return _STYLED[filterset_class]


class FilteredListView(TemplateView):
    """A list page: the permission-restricted queryset, filtered by the app's FilterSet.

    Filters live in the URL (bookmarkable, shareable). An htmx request gets only the results
    fragment (`partial_template_name`), so filtering updates the list without reloading.
    """

    filterset_class = None
    partial_template_name: str | None = None
    paginate_by = 25
    # (label, accessor) pairs for `?format=csv|xlsx` (core.downloads): what the page shows, no more.
    download_columns: tuple = ()
    download_name = "list"
    # Relations the columns read, fetched with the rows (a download has every row, not a page).
    download_related: tuple = ()
    download_prefetch: tuple = ()

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt in downloads.FORMATS and self.download_columns:
            filterset = self.get_filterset()
            valid = not filterset.is_bound or filterset.is_valid()
            queryset = filterset.qs if valid else filterset.queryset.none()
            if self.download_related:
                queryset = queryset.select_related(*self.download_related)
            if self.download_prefetch:
                queryset = queryset.prefetch_related(*self.download_prefetch)
            objects = self.download_objects(queryset[: downloads.MAX_ROWS])
            return downloads.table_response(objects, self.download_columns, self.download_name, fmt)
        return super().get(request, *args, **kwargs)

    def download_objects(self, queryset):
        """The rows of a download; a view whose columns need figures computed for a whole page
        (in a few queries, not one per row) overrides it and sets them on the objects."""
        return queryset

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_filterset(self):
        return styled_filterset(self.filterset_class)(
            self.filter_data(), queryset=self.get_base_queryset(), request=self.request
        )

    def filter_data(self):
        """The query string less a download's `format=csv|xlsx`, which is not a filter: a list may
        have a filter named `format` (ecosystem actions), and `?format=mission&format=csv` then
        downloads the missions."""
        data = self.request.GET.copy()
        kept = [value for value in data.getlist("format") if value not in downloads.FORMATS]
        if kept:
            data.setlist("format", kept)
        else:
            data.pop("format", None)
        return data or None

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and self.partial_template_name:
            return [self.partial_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        # An unbound filter set (no query string) lists everything; an invalid one lists nothing
        # and shows its errors.
        valid = not filterset.is_bound or filterset.is_valid()
        queryset = filterset.qs if valid else filterset.queryset.none()
        paginator = Paginator(queryset, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=filterset, page_obj=page, object_list=page.object_list, querystring=query.urlencode()
        )
        return context

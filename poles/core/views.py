"""View bases: lists filtered by one FilterSet, restricted by the permission layer, htmx-aware."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.views.generic import TemplateView

from . import downloads


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
            return downloads.table_response(queryset, self.download_columns, self.download_name, fmt)
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )

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

"""Errors that services raise and every face (page, API, command) turns into a clear answer."""

from django.utils.translation import gettext_lazy as _


class StaleObject(Exception):
    """The object changed since the caller read it (optimistic locking): nothing was written."""

    message = _(
        "Someone else changed this record since you opened it. Nothing was saved: reload it to see "
        "their change, then apply yours again."
    )

    def __init__(self, current_version: int | None = None):
        super().__init__(str(self.message))
        self.current_version = current_version


class TransitionNotAllowed(Exception):
    """A workflow transition refused by its source state, permission or guard."""

    def __init__(self, message, *, code: str = "transition_not_allowed"):
        super().__init__(str(message))
        self.message = message
        self.code = code

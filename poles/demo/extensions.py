"""Steps added by later apps (calls, follow-up, …) are imported here so they register in order."""

from . import users  # noqa: F401  (demo accounts come last)

"""People who log in, and what they may act on."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person with a log-in. What they may see and do comes from their role assignments."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

"""People who log in, and what they may act on."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.core.roles import ROLE_CHOICES, ROLE_SCOPE


class User(AbstractUser):
    """A person with a log-in. What they may see and do comes from their role assignments."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class RoleAssignment(models.Model):
    """A role held by a user in one scope (a programme, a funder, a cluster or an organisation)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=10, choices=ROLE_CHOICES)
    programme = models.ForeignKey(
        "instruments.Programme", verbose_name=_("programme"), null=True, blank=True, on_delete=models.CASCADE
    )
    funder = models.ForeignKey(
        "calls.Funder", verbose_name=_("funder"), null=True, blank=True, on_delete=models.CASCADE
    )
    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("cluster"), null=True, blank=True, on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.scope}"

    @property
    def scope(self):
        return getattr(self, ROLE_SCOPE[self.role], None)

    def clean(self) -> None:
        expected = ROLE_SCOPE.get(self.role)
        given = [
            name for name in ("programme", "funder", "cluster", "organisation") if getattr(self, f"{name}_id")
        ]
        if given != [expected]:
            raise ValidationError(
                _("The role %(role)s is given in exactly one %(scope)s.")
                % {"role": self.get_role_display(), "scope": expected}
            )
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The end date must not be before the start date.")})

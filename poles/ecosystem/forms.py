"""Forms of the ecosystem pages. Drop-downs offer only what the user may pick."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.clusters.models import Cluster
from poles.core.forms import PolesForm, PolesModelForm, VersionField
from poles.core.roles import roles_of
from poles.organisations.models import Organisation

from .models import Action, ActionParticipant, Event, FundRaising, Registration, Skill
from .rules import current_member_orgs

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def organised_clusters(user):
    """Clusters whose actions and events the user may manage."""
    roles = roles_of(user)
    return Cluster.objects.all() if roles.is_officer else Cluster.objects.filter(pk__in=roles.cluster_of)


def own_organisations(user, cluster=None):
    """Organisations a user may act for: their own; for organisers, the cluster's current members."""
    roles = roles_of(user)
    qs = Organisation.objects.filter(pk__in=roles.member_of)
    if cluster is not None and (roles.is_officer or cluster.pk in roles.cluster_of):
        qs = Organisation.objects.filter(pk__in=current_member_orgs([cluster.pk])) | qs
    return qs.distinct().order_by("name")


class ActionForm(PolesModelForm):
    version = VersionField()

    class Meta(PolesModelForm.Meta):
        model = Action
        fields = [
            "cluster", "kind", "format", "title_fr", "title_en", "description_fr", "description_en", "start_date",
            "end_date", "country", "partner_name", "results_fr", "results_en",
        ]  # fmt: skip
        widgets = {
            "start_date": DATE, "end_date": DATE, "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}), "results_fr": forms.Textarea(attrs={"rows": 3}),
            "results_en": forms.Textarea(attrs={"rows": 3}),
        }  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = organised_clusters(user)
        if self.instance.pk:
            self.fields["cluster"].disabled = True
            self.fields["version"].initial = self.instance.version


class ParticipantForm(PolesModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        widget=forms.NumberInput,
        help_text=_("The organisation's identifier in poles (shown on its page)."),
        error_messages={"invalid_choice": _("No organisation has this identifier.")},
    )

    class Meta(PolesModelForm.Meta):
        model = ActionParticipant
        fields = ["organisation", "role", "result"]

    def validate_unique(self):
        pass  # the service says so in words


class SkillForm(PolesModelForm):
    class Meta(PolesModelForm.Meta):
        model = Skill
        fields = ["cluster", "organisation", "direction", "label", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles_of(user)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(pk__in=roles.member_of)
            if not roles.is_officer
            else Organisation.objects.all()
        )
        member_clusters = Cluster.objects.filter(memberships__organisation_id__in=roles.member_of)
        self.fields["cluster"].queryset = (
            Cluster.objects.all()
            if roles.is_officer
            else (member_clusters | organised_clusters(user)).distinct()
        )


class EventForm(PolesModelForm):
    version = VersionField()

    class Meta(PolesModelForm.Meta):
        model = Event
        fields = [
            "cluster", "action", "title_fr", "title_en", "description_fr", "description_en", "starts_at", "ends_at",
            "venue", "capacity", "registration_deadline", "b2b", "b2b_starts_at", "b2b_slots", "b2b_slot_minutes",
            "b2b_tables",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME, "ends_at": DATETIME, "b2b_starts_at": DATETIME, "registration_deadline": DATE,
            "description_fr": forms.Textarea(attrs={"rows": 3}), "description_en": forms.Textarea(attrs={"rows": 3}),
        }  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        clusters = organised_clusters(user)
        self.fields["cluster"].queryset = clusters
        self.fields["action"].queryset = Action.objects.filter(
            cluster__in=clusters, start_date__year__gte=timezone.localdate().year - 2
        ).order_by("-start_date")
        for name in ("starts_at", "ends_at", "b2b_starts_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.fields["cluster"].disabled = True
            self.fields["action"].queryset = Action.objects.filter(cluster=self.instance.cluster)
            self.fields["version"].initial = self.instance.version


class RegistrationForm(PolesModelForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())

    class Meta(PolesModelForm.Meta):
        model = Registration
        fields = ["organisation", "attendees", "wants_b2b", "b2b_profile"]
        widgets = {"b2b_profile": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, event=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = own_organisations(user, event.cluster)
        if not event.b2b:
            del self.fields["wants_b2b"]
            del self.fields["b2b_profile"]

    def validate_unique(self):
        pass  # a cancelled registration may be renewed; the service checks the rest


class MeetingRequestForm(PolesForm):
    requester = forms.ModelChoiceField(label=_("For my organisation"), queryset=Registration.objects.none())
    target = forms.ModelChoiceField(label=_("Meet"), queryset=Registration.objects.none())
    message = forms.CharField(label=_("Message"), max_length=300, required=False)

    def __init__(self, *args, event=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles_of(user)
        directory = event.registrations.filter(status="registered", wants_b2b=True).select_related(
            "organisation"
        )
        self.fields["requester"].queryset = directory.filter(organisation_id__in=roles.member_of)
        self.fields["target"].queryset = directory
        for name in ("requester", "target"):
            self.fields[name].label_from_instance = lambda r: str(r.organisation)


class FundRaisingForm(PolesModelForm):
    class Meta(PolesModelForm.Meta):
        model = FundRaising
        fields = ["organisation", "amount", "investor_type", "stage", "closed_on", "investors"]
        widgets = {"closed_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = roles_of(user)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(category__in=["company", "ntbf"])
            if roles.is_officer
            else Organisation.objects.filter(pk__in=roles.member_of)
        )


class ReviewForm(PolesForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("validate", _("Validate")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required to reject)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

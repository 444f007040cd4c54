"""API shapes of partner search. Reasons travel both as data (code and figures) and as text in the
caller's language; the consortium check carries each rule's message in French and English."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from poles.organisations.models import Organisation

from .models import ContactRequest


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField(help_text="The reason in the caller's language (Accept-Language).")
    data = serializers.DictField(help_text="The reason's figures: organisation ids, terms, counts.")


@extend_schema_serializer(component_name="PartnerMatch")  # reviews has its own "Partner"
class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    category = serializers.CharField()
    size_class = serializers.CharField()
    region = serializers.CharField(help_text="INSEE code of the current region.")
    clusters = serializers.ListField(child=serializers.CharField(), help_text="Codes of current clusters.")
    reachable = serializers.BooleanField(help_text="A contact request can be relayed to it.")


class PartnerResultSerializer(serializers.Serializer):
    organisation = PartnerSerializer()
    score = serializers.FloatField()
    components = serializers.DictField(child=serializers.FloatField())
    reasons = ReasonSerializer(many=True)


class PartnerSearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    indexed = serializers.IntegerField(help_text="Organisations in partner search (opted in).")
    ignored_members = serializers.ListField(child=serializers.CharField())
    results = PartnerResultSerializer(many=True)


class ConsortiumRequestSerializer(serializers.Serializer):
    lead = serializers.IntegerField(help_text="Id of the lead organisation (one you act for).")
    call = serializers.IntegerField(help_text="Id of an open call.")
    idea = serializers.CharField(max_length=2000)
    lead_cluster = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the lead cluster."
    )
    extra_partners = serializers.IntegerField(required=False, min_value=0, max_value=3, default=0)


class ProposeRequestSerializer(ConsortiumRequestSerializer):
    max_results = serializers.IntegerField(required=False, min_value=1, max_value=10, default=5)


class CheckRequestSerializer(ConsortiumRequestSerializer):
    members = serializers.DictField(
        child=serializers.IntegerField(), help_text='Partners by place, e.g. {"sme": 12, "research": 40}.'
    )


class RuleCheckSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    rule = serializers.CharField()
    status = serializers.ChoiceField(choices=["pass", "fail", "warning", "later"])
    severity = serializers.CharField()
    label = serializers.DictField(child=serializers.CharField())
    message = serializers.DictField(child=serializers.CharField())


class SeatSerializer(serializers.Serializer):
    slot = serializers.CharField()
    organisation = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    size_class = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)
    alternatives = serializers.ListField(child=serializers.IntegerField())


class ConsortiumSerializer(serializers.Serializer):
    score = serializers.FloatField()
    eligible = serializers.BooleanField()
    members = SeatSerializer(many=True)
    check = RuleCheckSerializer(many=True)


class ProposeResponseSerializer(serializers.Serializer):
    slots = serializers.ListField(child=serializers.CharField())
    lead_findable = serializers.BooleanField()
    consortia = ConsortiumSerializer(many=True)


# Named apart from organisations' ContactSerializer, whose request body is "ContactRequest".
@extend_schema_serializer(component_name="PartnerContactRequest")
class ContactRequestSerializer(serializers.ModelSerializer):
    """A contact request; the sender's name and e-mail are shown to the recipient only (consent)."""

    recipient = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    sender_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    direction = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()

    class Meta:
        model = ContactRequest
        fields = [
            "id", "recipient", "sender_organisation", "subject", "message", "consent", "status", "created_at",
            "direction", "sender",
        ]  # fmt: skip
        read_only_fields = ["status", "created_at"]

    def _viewer(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_direction(self, obj) -> str:
        return "sent" if obj.sender_id == getattr(self._viewer(), "pk", None) else "received"

    def get_sender(self, obj) -> dict | None:
        """Name and e-mail of the sender, for the recipient (who is meant to answer)."""
        if obj.sender is None:
            return None
        return {"name": obj.sender.get_full_name() or obj.sender.get_username(), "email": obj.sender.email}

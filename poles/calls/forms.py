"""Forms officers use to prepare and edit calls: texts and dates, configuration sections, the rate
table row by row, and funders' envelopes.

Configuration sections are JSON typed in a text area, parsed and validated by the engines before
anything is saved: errors name the line and column of a JSON typo, or the rule/row/criterion at
fault in the officer's language. The rate table, edited most often, is a formset of rows with
percentages rather than JSON.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesForm, VersionField

from .engine.facts import CATEGORIES, CATEGORY_LABELS, COST_BASES, SIZE_CLASSES
from .engine.presets import PRESETS
from .engine.rates import FORM_LABELS, GROUPS
from .models import Call, Funder
from .services import config_problems

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class CallTextsForm(PolesForm):
    """Titles, descriptions, kind and dates of a call (both languages: the call page is public)."""

    number = forms.IntegerField(label=_("Call number"), required=False, min_value=1, max_value=999)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=255)
    title_en = forms.CharField(label=_("Title (English)"), max_length=255)
    description_fr = forms.CharField(
        label=_("Description (French)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Call.Kind.choices)
    opens_at = _datetime_field(_("Opens at"))
    labelling_deadline = _datetime_field(_("Labelling deadline"))
    submission_deadline = _datetime_field(_("Submission deadline"))

    def clean(self):
        data = super().clean()
        opens, labelling, submission = (
            data.get(k) for k in ("opens_at", "labelling_deadline", "submission_deadline")
        )
        if opens and labelling and labelling < opens:
            self.add_error("labelling_deadline", _("The labelling deadline must not be before the opening."))
        if labelling and submission and submission < labelling:
            self.add_error(
                "submission_deadline", _("The submission deadline must not be before the labelling deadline.")
            )
        return data


class CallCreateForm(CallTextsForm):
    """A new call, started from a preset (its rules, rates and criteria can be edited afterwards)."""

    preset = forms.ChoiceField(label=_("Start from the preset"), choices=())
    reference = forms.SlugField(
        label=_("Reference"), max_length=40, help_text=_("Short code used in addresses, e.g. fui-26.")
    )
    state_funder = forms.ModelChoiceField(
        label=_("State funder (the presets' “state” rates)"),
        queryset=Funder.objects.filter(kind=Funder.Kind.STATE_FUND),
        help_text=_("The presets' State rates are given to this funder."),
    )
    envelope = forms.DecimalField(label=_("Its envelope (EUR)"), min_value=0, max_digits=14, decimal_places=0)

    field_order = [
        "preset",
        "reference",
        "number",
        "title_fr",
        "title_en",
        "description_fr",
        "description_en",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(code, preset["name"]["en"]) for code, preset in PRESETS.items()]
        del self.fields["kind"]  # the preset sets the kind

    def clean_reference(self):
        reference = self.cleaned_data["reference"]
        if Call.objects.filter(reference=reference).exists():
            raise forms.ValidationError(_("Another call already uses this reference."))
        return reference


class CallEditForm(CallTextsForm):
    """Texts and dates of an existing call; once published, a reason is required and kept."""

    version = VersionField()
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the call is published: it is kept with the new version."),
    )  # fmt: skip


def json_text(value: Any) -> str:
    """A configuration section as the officer edits it: indented JSON, stable key order."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


class JsonField(forms.CharField):
    """JSON typed in a text area; a syntax error says where (line, column) in the reader's language."""

    widget = forms.Textarea(attrs={"rows": 14, "class": "fr-input poles-code", "spellcheck": "false"})

    def __init__(self, *, expect=(list, dict), **kwargs):
        self.expect = expect
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, str) else json_text(value)

    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return [] if self.expect is list else {}
        try:
            parsed = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Line %(line)s, column %(column)s: this is not valid JSON (%(problem)s)."),
                params={"line": exc.lineno, "column": exc.colno, "problem": exc.msg},
            ) from exc
        if not isinstance(parsed, self.expect):
            raise forms.ValidationError(
                _("Expected a list […].") if self.expect is list else _("Expected an object {…}.")
            )
        return _plain_numbers(parsed)


def _plain_numbers(value):
    """Decimals parsed from JSON become strings, the form the engines store ("0.45")."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


class CallConfigForm(PolesForm):
    """The call's eligibility rules, caps, evaluation grid, selection policy and instalments, as JSON."""

    rules = JsonField(
        label=_("Eligibility rules"),
        expect=list,
        help_text=_('A list of {"rule", "params", "severity"}; see the documentation for each rule.'),
    )
    caps = JsonField(
        label=_("Aid caps"),
        expect=dict,
        required=False,
        help_text=_('{"funder code": {"per_partner": amount, "per_project": amount}}'),
    )
    evaluation = JsonField(
        label=_("Evaluation criteria"),
        expect=dict,
        help_text=_(
            '{"scale_max", "overall_threshold", "criteria": [{"code", "label": {"fr", "en"}, "weight", "threshold"}]}'
        ),
    )
    selection = JsonField(
        label=_("Selection policy"),
        expect=dict,
        required=False,
        help_text=_(
            '{"objective": "score" or "score_per_euro", "min_sme_share", "max_aid_per_cluster", "min_score"}'
        ),
    )
    instalments = JsonField(
        label=_("Instalment schedule"),
        expect=dict,
        required=False,
        help_text=_('{"advance": 0.3, "intermediate": 0.4, "balance": 0.3}'),
    )
    version = VersionField()
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, call: Call, **kwargs):
        self.call = call
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        sections = ("rules", "caps", "evaluation", "selection", "instalments")
        if any(name in self.errors for name in sections):
            return data
        values = {
            "kind": self.call.kind,
            "rates": self.call.rates,
            **{name: data.get(name) for name in sections},
        }
        for section, problems in config_problems(values).items():
            target = section if section in sections else None
            for problem in problems:
                self.add_error(target, str(problem))
        return data


ANY = [("", _("any"))]


class RateRowForm(PolesForm):
    """One row of the rate table: who it applies to, the rate in percent, grant or advance."""

    funder = forms.ChoiceField(label=_("Funder"), choices=())
    group = forms.ChoiceField(label=_("Group"), required=False, choices=())
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    size_class = forms.ChoiceField(label=_("Size class"), required=False, choices=())
    territory = forms.ChoiceField(label=_("Territory"), required=False, choices=())
    cost_basis = forms.ChoiceField(label=_("Cost basis"), required=False, choices=())
    rate = forms.DecimalField(label=_("Rate (%)"), min_value=0, max_value=100, max_digits=6, decimal_places=2)
    form = forms.ChoiceField(label=_("Form of aid"), choices=())

    def __init__(self, *args, funders=(), **kwargs):
        from .describe import COST_BASIS_LABELS, GROUP_LABELS, SIZE_LABELS
        from .engine.rates import TERRITORY_LABELS

        super().__init__(*args, **kwargs)
        # An empty first choice keeps untouched extra rows unchanged (so they are skipped, not refused).
        self.fields["funder"].choices = [("", "—"), *funders]
        self.fields["group"].choices = ANY + [(g, GROUP_LABELS[g]) for g in GROUPS]
        self.fields["category"].choices = ANY + [(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
        self.fields["size_class"].choices = ANY + [(s, SIZE_LABELS[s]) for s in SIZE_CLASSES]
        self.fields["territory"].choices = ANY + list(TERRITORY_LABELS.items())
        self.fields["cost_basis"].choices = ANY + [(c, COST_BASIS_LABELS[c]) for c in COST_BASES]
        self.fields["form"].choices = [("", "—"), *FORM_LABELS.items()]

    def row(self) -> dict[str, Any]:
        """The row as stored in the call: the rate as a fraction string, "any" left out."""
        data = self.cleaned_data
        row = {"funder": data["funder"]}
        for key in ("group", "category", "size_class", "territory", "cost_basis"):
            if data.get(key):
                row[key] = data[key]
        row["rate"] = format((data["rate"] / Decimal(100)).normalize(), "f")
        row["form"] = data["form"]
        return row

    @staticmethod
    def initial_from(row: dict[str, Any]) -> dict[str, Any]:
        initial = {
            key: row.get(key) or ""
            for key in ("funder", "group", "category", "size_class", "territory", "cost_basis")
        }
        initial["rate"] = format((Decimal(str(row.get("rate", 0))) * 100).normalize(), "f")
        initial["form"] = row.get("form", "grant")
        return initial


RateFormSet = forms.formset_factory(RateRowForm, extra=2, can_delete=True)


class RatesMetaForm(PolesForm):
    """The lock and reason that go with a rate-table edit."""

    version = VersionField()
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnvelopeForm(PolesForm):
    """A funder joining the call, or a new envelope for one already in it."""

    funder = forms.ModelChoiceField(label=_("Funder"), queryset=Funder.objects.all())
    envelope = forms.DecimalField(label=_("Envelope (EUR)"), min_value=0, max_digits=14, decimal_places=0)
    version = VersionField()
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

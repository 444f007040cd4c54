"""Identifier checks: a wrong SIREN, SIRET, RNSR, ROR, VAT or PIC is refused with a clear message."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siren(value: str) -> None:
    try:
        siren.validate(_digits(value))
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid SIREN: 9 digits with a correct check digit."),
            code="invalid_siren",
            params={"value": value},
        ) from exc


def validate_siret(value: str) -> None:
    try:
        siret.validate(_digits(value))
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid SIRET: 14 digits with a correct check digit."),
            code="invalid_siret",
            params={"value": value},
        ) from exc


RNSR_RE = re.compile(r"^\d{9}[A-Z]$")


def validate_rnsr(value: str) -> None:
    if not RNSR_RE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid RNSR number: 9 digits followed by one capital letter."),
            code="invalid_rnsr",
            params={"value": value},
        )


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}\d{2}$")


def ror_checksum(base: str) -> int:
    """ISO 7064 mod 97-10 check of a ROR id's first 7 characters (Crockford base 32)."""
    number = 0
    for char in base:
        number = number * 32 + _CROCKFORD.index(char)
    return 98 - ((number * 100) % 97)


def validate_ror(value: str) -> None:
    value = (value or "").lower().removeprefix("https://ror.org/")
    if not ROR_RE.match(value) or ror_checksum(value[:7]) != int(value[7:]):
        raise ValidationError(
            _("“%(value)s” is not a valid ROR id: 0, six base-32 characters and a 2-digit checksum."),
            code="invalid_ror",
            params={"value": value},
        )


def validate_vat(value: str) -> None:
    try:
        eu_vat.validate(value)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid EU VAT number."), code="invalid_vat", params={"value": value}
        ) from exc


PIC_RE = re.compile(r"^\d{9}$")


def validate_pic(value: str) -> None:
    if not PIC_RE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid EU PIC: 9 digits."), code="invalid_pic", params={"value": value}
        )


def compact_siren(value: str) -> str:
    return siren.compact(value) if value else ""


def compact_siret(value: str) -> str:
    return siret.compact(value) if value else ""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from poles.organisations import validators as v


@pytest.mark.parametrize("value", ["732829320", "732 829 320", "356000000"])
def test_valid_siren(value):
    v.validate_siren(value)


@pytest.mark.parametrize("value", ["732829321", "12345678", "abcdefghi", ""])
def test_invalid_siren(value):
    with pytest.raises(ValidationError):
        v.validate_siren(value)


def test_siret_including_la_poste_exception():
    v.validate_siret("73282932000074")
    v.validate_siret("35600000000048")  # La Poste: digit sum multiple of 5, not Luhn
    with pytest.raises(ValidationError):
        v.validate_siret("73282932000075")


def test_rnsr_ror_pic_vat():
    v.validate_rnsr("200711918A")
    v.validate_ror("02feahw73")  # CNRS
    v.validate_ror("https://ror.org/02feahw73")
    v.validate_pic("999997930")
    v.validate_vat("FR40303265045")
    for fn, bad in [
        (v.validate_rnsr, "20071191A"),
        (v.validate_ror, "02feahw74"),
        (v.validate_ror, "12feahw73"),
        (v.validate_pic, "99999793"),
        (v.validate_vat, "FR00000000000"),
    ]:
        with pytest.raises(ValidationError):
            fn(bad)


@pytest.mark.parametrize(
    "language, expected", [("en", "is not a valid SIRET"), ("fr", "n’est pas un SIRET valide")]
)
def test_messages_in_both_languages(language, expected):
    with translation.override(language):
        with pytest.raises(ValidationError) as err:
            v.validate_siret("12345678901234")
        assert expected in str(err.value.messages[0])

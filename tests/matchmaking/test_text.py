import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from poles.matchmaking.text import fit_tfidf, fold_accents, fold_plural, tokenize


def test_accents_case_and_elisions_fold_to_one_term():
    assert tokenize("L'Énergie") == tokenize("energie") == ["energie"]
    assert fold_accents("Électrolyseurs à hydrogène") == "electrolyseurs a hydrogene"


def test_french_and_english_stop_words_and_numbers_are_dropped():
    assert tokenize("Nous cherchons un partenaire pour les capteurs et la 5G en 2024") == ["capteur", "5g"]
    assert tokenize("The design of sensors for the industry") == ["design", "sensor", "industry"]


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("capteurs", "capteur"),
        ("reseaux", "reseau"),
        ("batteries", "batterie"),
        ("process", "process"),
        ("virus", "virus"),
        ("analysis", "analysis"),
        ("gas", "gas"),
        ("mems", "mems"),
        ("saas", "saas"),
    ],
)
def test_plural_folding_is_minimal(word, folded):
    assert fold_plural(word) == folded


def test_tfidf_rows_are_unit_length_and_rare_terms_weigh_more():
    model, matrix = fit_tfidf(["capteur hydrogene", "capteur batterie", "capteur logiciel", ""])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [1, 1, 1, 0])
    row = matrix[0].toarray().ravel()
    assert row[model.vocabulary["hydrogene"]] > row[model.vocabulary["capteur"]] > 0


def test_query_is_weighted_like_the_profiles_and_unknown_terms_are_ignored():
    model, matrix = fit_tfidf(["capteur hydrogene", "capteur batterie"])
    idx, weights = model.vectorize("Capteurs d'hydrogène, drones")
    assert [model.terms[i] for i in idx] == ["capteur", "hydrogene"]
    np.testing.assert_allclose(matrix[0].toarray().ravel()[idx], weights)
    empty_idx, empty_weights = model.vectorize("drones sous-marins")
    assert len(empty_idx) == 0 and len(empty_weights) == 0


def test_vocabulary_does_not_depend_on_document_order():
    a, _ = fit_tfidf(["beta alpha", "gamma"])
    b, _ = fit_tfidf(["gamma", "beta alpha"])
    assert a.terms == b.terms == ("alpha", "beta", "gamma")


def _reference_tokenize(text: str) -> list[str]:
    """The tokenizer written plainly over the whole text (what the cached per-chunk one must equal)."""
    import re
    import unicodedata

    from poles.matchmaking.text import STOP_WORDS

    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", (text or "").lower()) if not unicodedata.combining(ch)
    )
    tokens = []
    for raw in re.findall(r"[a-z0-9]+", folded):
        if len(raw) < 2 or raw.isdigit() or raw in STOP_WORDS:
            continue
        token = fold_plural(raw)
        if token not in STOP_WORDS:
            tokens.append(token)
    return tokens


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
    | st.text(alphabet="aéèçœ ﬁ\u0301\u00a0'-.MEMS", max_size=60)
)
def test_chunked_tokenizer_equals_the_plain_one(text):
    assert tokenize(text) == _reference_tokenize(text)

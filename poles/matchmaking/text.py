"""Text normalisation and TF-IDF weighting for partner search, in French and English.

Why our own few lines rather than scikit-learn's vectoriser: the platform runs offline, the
profiles mix French and English, and the only processing we need (accent folding, a short
stop-word list per language, plural folding, sublinear TF-IDF) fits here without a heavy
dependency. Queries and profiles go through the very same `tokenize`, so whatever the folding
does, both sides agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

# Kept short on purpose: a stop word that is also a competence ("or", "data") would hide a
# real match; these are the function words that otherwise dominate short French/English texts.
_FRENCH_STOP_WORDS = """
a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs
lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir ont sont
est sera seront fait faire comme plus moins tres entre sans sous vers chez dont afin ainsi
aussi bien deja donc elles encore etc ici lors notamment puis quand selon si tout tous toute
toutes autre autres cela celle celles celui ceux leur sein via
"""
_ENGLISH_STOP_WORDS = """
a about above after all also an and any are as at be been being between both but by can
could did do does during each for from had has have having he her here hers him his how i if
in into is it its itself just me more most my no nor not of off on once only other our ours
out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours within without using use used based new
"""
# Words of the request itself ("nous cherchons un partenaire...") that say nothing of the skill.
_REQUEST_WORDS = """
cherche cherchons recherchons souhaitons besoin partenaire partenaires looking seek seeking
partner partners need needs want wanted
"""
STOP_WORDS: frozenset[str] = frozenset((_FRENCH_STOP_WORDS + _ENGLISH_STOP_WORDS + _REQUEST_WORDS).split())

_TOKEN = re.compile(r"[a-z0-9]+")


def fold_accents(text: str) -> str:
    """Lower-case `text` and drop diacritics, so "Énergie" and "energie" are one word."""
    lowered = text.lower()
    if lowered.isascii():  # nothing to decompose
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Acronyms of the field that end in "s" in the singular: "MEMS" is not the plural of "MEM".
_INVARIANT = frozenset({"mems", "nems", "moems", "saas", "paas", "iaas"})


def fold_plural(token: str) -> str:
    """Map the commonest French/English plural forms to their singular.

    Deliberately minimal (no stemmer ships offline for both languages): "capteurs" ->
    "capteur", "reseaux" -> "reseau", "batteries" -> "batterie"; words ending in "ss"/"us"/"is"
    ("process", "virus", "analysis") and short words are left alone.
    """
    if len(token) <= 3 or token.isdigit() or token in _INVARIANT:
        return token
    if token.endswith(("eaux", "eux")):
        return token[:-1]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Split free text into comparable terms: accent-folded, stop words and numbers removed.

    Pure numbers (years, amounts) carry no competence; tokens of one character are noise from
    elisions ("l'énergie"). Each whitespace-separated chunk is folded once and remembered: profile
    texts repeat the same words, so indexing a national programme folds each word once.
    """
    tokens: list[str] = []
    for chunk in (text or "").split():
        tokens.extend(_chunk_tokens(chunk))
    return tokens


@lru_cache(maxsize=200_000)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    tokens = []
    for raw in _TOKEN.findall(fold_accents(chunk)):
        if len(raw) < 2 or raw.isdigit() or raw in STOP_WORDS:
            continue
        token = fold_plural(raw)
        if token not in STOP_WORDS:
            tokens.append(token)
    return tuple(tokens)


@dataclass(frozen=True)
class TfidfModel:
    """Vocabulary and inverse document frequencies learnt from the indexed profiles.

    Kept separate from the matrix so a query is weighted exactly like the profiles were.
    """

    vocabulary: dict[str, int]
    terms: tuple[str, ...]
    idf: np.ndarray

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's (term indices, L2-normalised weights); unknown terms are dropped."""
        counts = Counter(t for t in tokenize(text) if t in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        terms = sorted(counts, key=self.vocabulary.__getitem__)
        idx = np.fromiter((self.vocabulary[t] for t in terms), dtype=np.int64, count=len(terms))
        tf = np.fromiter((1.0 + math.log(counts[t]) for t in terms), dtype=float, count=len(terms))
        weights = tf * self.idf[idx]
        return idx, weights / np.linalg.norm(weights)


def fit_tfidf(texts: Sequence[str] | Iterable[str]) -> tuple[TfidfModel, sparse.csr_matrix]:
    """Fit TF-IDF on the profile texts; return the model and the L2-normalised document matrix.

    Sublinear tf (1 + log tf) so a profile that repeats a word ten times is not ten times as
    relevant; smoothed idf (log((1 + n) / (1 + df)) + 1) as in the usual baseline.
    """
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    vocabulary: dict[str, int] = {}
    n_docs = 0
    for row, text in enumerate(texts):
        n_docs = row + 1
        for term, count in Counter(tokenize(text)).items():
            col = vocabulary.setdefault(term, len(vocabulary))
            rows.append(row)
            cols.append(col)
            vals.append(1.0 + math.log(count))
    # Re-number terms alphabetically: the index must not depend on the order profiles came in.
    terms = tuple(sorted(vocabulary))
    remap = np.empty(len(vocabulary), dtype=np.int64)
    for new, term in enumerate(terms):
        remap[vocabulary[term]] = new
    vocabulary = {term: i for i, term in enumerate(terms)}
    col_arr = remap[np.asarray(cols, dtype=np.int64)] if cols else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.asarray(vals, dtype=float), (np.asarray(rows, dtype=np.int64), col_arr)),
        shape=(n_docs, len(terms)),
    )
    df = np.bincount(matrix.indices, minlength=len(terms))
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    return TfidfModel(vocabulary, terms, idf), sparse.csr_matrix(matrix)

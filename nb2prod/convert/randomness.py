"""Calls that use a global random generator: the one list of which calls seed, draw or only
make a generator, read by statement sorting (a line that draws is never left out), the
execution-order check (a generator is a variable draws read and change) and the unseeded
randomness warning (CV016).

Two global generators: numpy's (``np.random.*``) and the standard library's (``random.*``).
Names are qualified after import resolution (``np.random.seed`` -> ``numpy.random.seed``).
"""

from __future__ import annotations

import ast

from nb2prod.analysis.names import qualified

NUMPY_RANDOM, STDLIB_RANDOM = "numpy.random", "random"
# A call of a function under these modules draws from their global generator, unless it is
# one of NOT_DRAWS.
GLOBAL_DRAWS = (f"{NUMPY_RANDOM}.", f"{STDLIB_RANDOM}.")

# Seed calls: they make the global generator reproducible.
SEEDS = frozenset({"numpy.random.seed", "random.seed"})
# Calls that make a generator of their own; made without arguments, it is unseeded.
GENERATORS = frozenset(
    {
        "numpy.random.default_rng",
        "numpy.random.RandomState",
        "random.Random",
        *(f"numpy.random.{bits}" for bits in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")),
    }
)
# Calls on the random modules that draw nothing from the global generators: seeds,
# generators and bit generators made, the state read or set.
NOT_DRAWS = (
    SEEDS
    | GENERATORS
    | {
        "numpy.random.Generator",
        "numpy.random.SeedSequence",
        "numpy.random.BitGenerator",
        "numpy.random.get_state",
        "numpy.random.set_state",
        "random.SystemRandom",
        "random.getstate",
        "random.setstate",
    }
)

# Plotting functions that may draw from a global generator: seaborn's jitter (strip plots,
# regression plots) and, in older seaborn, its bootstrapped confidence intervals; pandas'
# bootstrap_plot (the standard library's generator).
RANDOM_PLOTS = frozenset(
    [
        *(
            f"seaborn.{n}"
            for n in (
                *("barplot", "pointplot", "lineplot", "relplot", "catplot", "factorplot"),
                *("stripplot", "regplot", "lmplot", "residplot", "tsplot", "jointplot"),
                "pairplot",
            )
        ),
        "pandas.plotting.bootstrap_plot",
    ]
)
# Draw with numpy's global generator unless given an integer random_state.
SHUFFLES = frozenset({"sample", "shuffle", "train_test_split"})


def random_use(call: ast.Call, imports: dict[str, str]) -> tuple[str, str] | None:
    """``(generator, "seed" | "draw")`` when ``call`` seeds or draws from a global random
    generator: numpy's (``np.random.*``; ``df.sample()``, ``shuffle(X, y)`` and
    ``train_test_split`` without an integer ``random_state``; seaborn's jittered or
    bootstrapped plots) or the standard library's (``random.*``, ``bootstrap_plot``)."""
    name = qualified(call.func, imports) or ""
    if name in SEEDS:
        return (NUMPY_RANDOM if name.startswith("numpy") else STDLIB_RANDOM), "seed"
    if name.startswith("numpy.random.") and name not in NOT_DRAWS:
        return NUMPY_RANDOM, "draw"
    if name.startswith("random.") and name not in NOT_DRAWS and name.count(".") == 1:
        return STDLIB_RANDOM, "draw"
    if name in RANDOM_PLOTS:
        return (STDLIB_RANDOM if name.startswith("pandas") else NUMPY_RANDOM), "draw"
    last = call.func.attr if isinstance(call.func, ast.Attribute) else name.rpartition(".")[2]
    if last in SHUFFLES and not name.startswith(("numpy.", "random.")) and not _int_seed(call):
        return NUMPY_RANDOM, "draw"
    return None


def _int_seed(call: ast.Call) -> bool:
    """``random_state=<int>`` (``df.sample(5, random_state=0)``): a fresh generator."""
    for kw in call.keywords:
        if kw.arg == "random_state":
            v = kw.value
            return isinstance(v, ast.Constant) and type(v.value) is int
    return False

"""Whether a strategy can run on a model, decided from declared capabilities before any work.

Without this check, a strategy that needs embeddings or probability draws fails deep inside a round
with a traceback; with it, the user is told what is missing and which strategies would work.
"""

from __future__ import annotations

from activelabel.errors import StrategyNotApplicableError
from activelabel.models.base import Capabilities
from activelabel.strategies.base import StrategyInfo
from activelabel.strategies.registry import available_strategies

WHAT: dict[str, str] = {
    "proba": "class probabilities",
    "draws": "probability draws (a committee or MC dropout)",
    "embeddings": "embeddings",
}


def applicable_strategies(capabilities: Capabilities) -> list[str]:
    """Names of the strategies whose needs these capabilities meet, built-ins first."""
    return [name for name, info in available_strategies().items() if not capabilities.lacks(info.needs)]


def check_applicable(strategy: StrategyInfo, capabilities: Capabilities, *, model: str = "the model") -> None:
    """Raise StrategyNotApplicableError naming what ``strategy`` needs, what ``model`` lacks, and what to choose."""
    missing = capabilities.lacks(strategy.needs)
    if not missing:
        return
    needs = " and ".join(WHAT[cap] for cap in missing)
    raise StrategyNotApplicableError(
        f"{strategy.name} needs {needs}; {model} gives none; "
        f"choose {', '.join(applicable_strategies(capabilities))}"
    )

"""Sampling strategies: pure functions over score arrays, looked up by name.

Two layers, as in modAL and baal: *utility* functions map model outputs to one score per item
(higher means more worth a human's time), and *selection* turns scores into chosen indices.
"""

from activelabel.strategies.applicable import applicable_strategies, check_applicable
from activelabel.strategies.base import PoolView, StrategyFn, StrategyInfo
from activelabel.strategies.registry import available_strategies, get_strategy

__all__ = ["PoolView", "StrategyFn", "StrategyInfo", "applicable_strategies", "available_strategies",
           "check_applicable", "get_strategy"]

"""Model adapters, one per model family; each imports its heavy library lazily."""

from activelabel.models.base import Model, Proposal
from activelabel.models.registry import create_model, load_model

__all__ = ["Model", "Proposal", "create_model", "load_model"]

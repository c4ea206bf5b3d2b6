"""Model adapters, one per model family; each imports its heavy library lazily."""

from activelabel.models.base import (
           Capabilities,
           Embedder,
           Model,
           Persistable,
           Prediction,
           Predictor,
           Trainable,
)
from activelabel.models.registry import create_model, load_model

__all__ = ["Capabilities", "Embedder", "Model", "Persistable", "Predictor", "Prediction", "Trainable", "create_model",
           "load_model"]

"""``vectors-logreg``'s ``scale`` setting: what each choice fits, and a bad one named up front."""

from __future__ import annotations

import numpy as np
import pytest

from activelabel.errors import ConfigError
from activelabel.models.sklearn_vectors import DEFAULT_SCALE, SCALERS, SklearnVectorClassifier
from activelabel.types import ClassLabel, Item


def _data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)) * np.array([1.0, 10.0, 0.1, 100.0, 1.0])  # columns of very different scales
    y = ["a" if row[0] + row[1] / 10 > 0 else "b" for row in x]
    return x, y


def _items(x: np.ndarray) -> list[Item]:
    return [Item(f"i{i}", "text", " ".join(f"{v:.17g}" for v in row)) for i, row in enumerate(x)]


def test_scale_none_is_plain_logistic_regression() -> None:
    """With ``scale = "none"`` the adapter gives what a plain LogisticRegression on the raw numbers gives."""
    from sklearn.linear_model import LogisticRegression

    x, y = _data()
    model = SklearnVectorClassifier(["a", "b"], {"scale": "none"}).fit(_items(x[:40]), [ClassLabel(v) for v in y[:40]])
    plain = LogisticRegression(max_iter=1000).fit(x[:40], y[:40])
    ours = model.predict_proba(_items(x[40:]))
    np.testing.assert_allclose(ours, plain.predict_proba(x[40:]), atol=1e-12)
    np.testing.assert_allclose(model.embed(_items(x[40:])), x[40:])


@pytest.mark.parametrize("scale", SCALERS)
def test_every_scale_trains_saves_and_loads(tmp_path: object, scale: str) -> None:
    from pathlib import Path

    x, y = _data(seed=1)
    items, values = _items(x), [ClassLabel(v) for v in y]
    model = SklearnVectorClassifier(["a", "b"], {"scale": scale}).fit(items, values)
    assert model.evaluate(items, values)["accuracy"] > 0.8
    folder = Path(str(tmp_path))
    model.save(folder)
    again = SklearnVectorClassifier.load(folder)
    np.testing.assert_allclose(again.predict_proba(items), model.predict_proba(items))


def test_an_unknown_scale_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ConfigError, match=r"model.params.scale = 'zscore': use one of standard, maxabs, none"):
        SklearnVectorClassifier(["a", "b"], {"scale": "zscore"})
    assert DEFAULT_SCALE in SCALERS

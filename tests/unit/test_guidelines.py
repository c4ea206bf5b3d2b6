"""Guidelines: a starter until written, per-label definitions in the config, labeled examples."""

from __future__ import annotations

import pytest

from activelabel.config import parse_config
from activelabel.errors import InvalidLabelError
from activelabel.guidelines import Example, add_example, load_guidelines, save_definitions, save_guidelines
from activelabel.project import Project


def test_guidelines_round_trip(tmp_path):
    with Project.init(tmp_path / "p", parse_config({"task": "classification", "labels": ["ham", "spam"]})) as p:
        first = load_guidelines(p.dir, p.config)
        assert not first.exists and "ham" in first.text
        save_definitions(p, {"spam": "unsolicited advertising or scams"})
        add_example(p.dir, p.config, Example("spam", "WIN a prize! txt now", "prize + call to action"))
        with pytest.raises(InvalidLabelError):
            add_example(p.dir, p.config, Example("eggs", "x"))
        with pytest.raises(InvalidLabelError):
            save_definitions(p, {"eggs": "no such label"})
        save_guidelines(p.dir, "# Rules\n\nWhen unsure, skip.\n")
    with Project.open(tmp_path / "p") as p:  # the definitions survived in activelabel.toml
        g = load_guidelines(p.dir, p.config)
        assert g.exists and g.definition("spam") == "unsolicited advertising or scams"
        assert [e.note for e in g.examples_for("spam")] == ["prize + call to action"]
        md = g.to_markdown()
        assert md.startswith("# Rules") and "### spam" in md and "WIN a prize" in md

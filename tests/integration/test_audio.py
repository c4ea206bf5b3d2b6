"""Audio end to end: real faster-whisper tiny.en weights in the loop, and openai-whisper's loading and
fine-tuning path on a tiny randomly initialised checkpoint that the test makes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_rows
from activelabel.project import Project
from activelabel.samples import transcription as tr_sample
from activelabel.types import Item, Transcript

pytestmark = pytest.mark.slow


def test_transcription_loop_with_real_tiny_en(tmp_path):
    cfg = parse_config({"task": "transcription", "model": {"params": {"device": "cpu"}},
                        "loop": {"retrain_every": 0, "human_budget_per_round": 3, "auto_accept_threshold": 0.999,
                                 "audit_rate": 0.0, "strategy": "least_confidence"}})
    project = Project.init(tmp_path / "proj", cfg)
    try:
        folder = tr_sample.make_sample(tmp_path / "sample", n=3, seed=1)
        answers = tr_sample.answer_key(tmp_path / "sample")
        assert project.import_file(folder).imported == 3
        result = project.prelabel()  # the pretrained model proposes before any answer
        assert result["n_scored"] == 3 and result["model_version"]
        queued = project.claim("ann", 2)
        assert len(queued) == 2
        for q in queued:
            item = q.entry.item
            truth = answers[item.meta["original"]]
            project.submit(item.id, Transcript(truth), annotator="ann", trigger_retrain=False)
        version = project.train(wait=True)  # learns vocabulary + calibration, re-scores the rest
        path = Path(project.store.get_version(version).path)
        assert (path / "whisper_state.json").exists() and not list(path.glob("*.bin"))  # weights never copied
        rows = export_rows(project, include_predictions=True)
        assert len(rows) == 3
        human = [r for r in rows if r["source"] == "human"]
        assert len(human) == 2 and all(r["annotator"] == "ann" for r in human)
        model_rows = [r for r in rows if r["source"] == "model"]
        for r in rows:
            assert "transcript" in r and 0.0 <= (r["confidence"] if r["confidence"] is not None else 1.0) <= 1.0
        for r in model_rows:
            assert r["path"].startswith("media/")
    finally:
        project.close()


def _tiny_checkpoint(path: Path) -> Path:
    import torch
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(0)
    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51864, n_text_ctx=448, n_text_state=32, n_text_head=2, n_text_layer=1)
    model = Whisper(dims)
    with torch.no_grad():  # whisper leaves this torch.empty (real checkpoints fill it): uninitialised memory
        model.decoder.positional_embedding.normal_(0.0, 0.02)
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_openai_whisper_loads_a_checkpoint_fine_tunes_and_reloads(tmp_path):
    import whisper

    from activelabel.models.registry import load_model, save_model
    from activelabel.models.whisper import WhisperTranscriber
    from activelabel.samples._fsdd import copy_clips, spoken

    ckpt = _tiny_checkpoint(tmp_path / "tiny-random.pt")
    clips = copy_clips(tmp_path / "clips", 2, 0)
    items = [Item(c.name, "audio", str(c)) for c in clips]
    values = [Transcript(spoken(c.name)) for c in clips]
    model = WhisperTranscriber(model=f"openai-whisper:{ckpt}",
                               params={"device": "cpu", "fine_tune": True, "epochs": 3, "lr": 1e-3})
    before = {k: v.clone() for k, v in model.backend().model.state_dict().items()}
    model.fit(items, values)
    losses = model.fine_tune_losses_
    assert len(losses) == 3 and all(np.isfinite(losses)) and losses[-1] < losses[0]
    after = model.backend().model.state_dict()
    assert any(not bool((before[k] == after[k]).all()) for k in before)

    save_model(model, tmp_path / "v1")
    assert (tmp_path / "v1" / "finetuned.pt").exists()
    reread = whisper.load_model(str(tmp_path / "v1" / "finetuned.pt"), device="cpu")  # whisper's own format
    assert reread.dims.n_text_state == 32
    loaded = load_model(tmp_path / "v1")
    proposals = loaded.predict(items[:1])
    assert len(proposals) == 1 and 0.0 <= proposals[0].confidence <= 1.0
    assert np.allclose(loaded.backend().model.state_dict()["decoder.ln.weight"].numpy(),
                       after["decoder.ln.weight"].numpy())

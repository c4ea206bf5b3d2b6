"""Optional fine-tuning of openai-whisper on corrected transcripts (GPU when there is one).

Teacher forcing on (audio, corrected text) pairs: the decoder sees the start-of-transcript tokens
plus the text and learns to predict the next token; the loss skips the prompt tokens. The result
is written in whisper's own checkpoint format (``dims`` + ``model_state_dict``), so
``whisper.load_model(path)`` reads it back like any released model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.models.base import ProgressFn


def fine_tune(model: Any, audios: Sequence[np.ndarray], texts: Sequence[str], *, epochs: int = 3,
              lr: float = 1e-5, batch_size: int = 8, seed: int = 0, progress: ProgressFn | None = None) -> list[float]:
    """Train ``model`` (a whisper.model.Whisper) in place; returns the mean loss of each epoch."""
    import torch
    import whisper
    from whisper.tokenizer import get_tokenizer

    torch.manual_seed(seed)
    device = next(model.parameters()).device
    tokenizer = get_tokenizer(model.is_multilingual, num_languages=model.num_languages, language="en",
                              task="transcribe")
    prompt = list(tokenizer.sot_sequence_including_notimestamps)
    max_len = model.dims.n_text_ctx
    sequences = [(prompt + tokenizer.encode(" " + t.strip()) + [tokenizer.eot])[:max_len] for t in texts]
    mels = [whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(np.asarray(a, dtype=np.float32))),
                                        n_mels=model.dims.n_mels) for a in audios]
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses: list[float] = []
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(sequences))
        total, n_batches = 0.0, 0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            width = max(len(sequences[i]) for i in idx)
            tokens = torch.full((len(idx), width), tokenizer.eot, dtype=torch.long)
            target = torch.full((len(idx), width), -100, dtype=torch.long)
            for row, i in enumerate(idx):
                seq = torch.tensor(sequences[i])
                tokens[row, :len(seq)] = seq
                target[row, len(prompt) - 1:len(seq) - 1] = seq[len(prompt):]  # predict text + eot only
            mel = torch.stack([mels[i] for i in idx]).to(device)
            logits = model(mel, tokens[:, :-1].to(device) if width > 1 else tokens.to(device))
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(),
                                                     target[:, :logits.shape[1]].reshape(-1).to(device),
                                                     ignore_index=-100)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
            n_batches += 1
        losses.append(total / max(1, n_batches))
        if progress:
            progress((epoch + 1) / epochs, f"fine-tuning epoch {epoch + 1}/{epochs}: loss {losses[-1]:.3f}")
    model.eval()
    return losses


def save_checkpoint(model: Any, path: Path) -> None:
    """whisper's checkpoint layout, readable by ``whisper.load_model(path)``."""
    import torch

    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"dims": asdict(model.dims), "model_state_dict": state}, path)

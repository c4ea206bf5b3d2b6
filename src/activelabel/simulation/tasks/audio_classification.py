"""Audio-classification data for the simulation; shares the audio loader with transcription."""

from __future__ import annotations

from activelabel.simulation.tasks.transcription import load_classification as load

__all__ = ["load"]

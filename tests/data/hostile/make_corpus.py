"""Regenerate the hostile-input corpus in this folder: ``python tests/data/hostile/make_corpus.py``.

The files are checked in; this script documents how each was made. Every file is small. Each
case is something a real export, a broken tool or an attacker could hand to an importer.
"""

from __future__ import annotations

import io
import json
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _png(w: int, h: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(color) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _png_header_only(w: int, h: int) -> bytes:
    """A decompression-bomb shape: a huge declared size and almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IEND", b"")


def _wav(seconds: float = 0.2, rate: int = 8000) -> bytes:
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return buf.getvalue()


def write(rel: str, data: bytes | str) -> None:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def text_cases() -> None:
    write("text/bad_encodings.tsv", b"text\tlabel\nplain ok\tham\nlatin1 \xe9t\xe9\tham\ncesu \xed\xa0\x80 surrogate\tspam\n"
          b"nul \x00 byte\tham\n\xff\xfe\tspam\noverlong \xc0\xaf slash\tham\n")
    write("text/utf16.csv", "text,label\nhello,ham\n".encode("utf-16"))
    write("text/bom_and_crlf.csv", b"\xef\xbb\xbftext,label\r\n\"quoted, comma\",ham\r\n\"unbalanced,spam\r\n=cmd|' /C calc'!A0,ham\r\n")
    deep = "[" * 5000 + "]" * 5000
    lines = ['{"text": "fine", "label": "ham"}', '{"text": "broken", "label": ', "[1, 2, 3]", "null", "42",
             '{"text": null, "label": "ham"}', '{"text": ["a", "list"], "label": "spam"}',
             '{"text": "label object", "label": {"$ne": 1}}', '{"text": "nan label", "label": NaN}',
             '{"text": "", "label": "ham"}', '{"text": "   ", "label": "spam"}', deep,
             '{"text": "dup key", "text": "twice", "label": "ham"}', '{"text": "' + "x" * 200_000 + '"}',
             '{"text": "big number", "label": 1e999}', '{"text": "trailing"} garbage',
             '{"text": "\\ud800 lone surrogate", "label": "ham"}']
    write("text/malformed.jsonl", "\n".join(lines) + "\n")
    labels = ["", "../../etc/passwd", "<script>alert(1)</script>", "ham\u200b", "HAM", "h\u0430m", "x" * 10_000,
              "spam\nham", None, 0, True]
    write("text/hostile_labels.jsonl", "\n".join(json.dumps({"text": f"label case {i}", "label": lab})
                                                 for i, lab in enumerate(labels)) + "\n")


def span_cases() -> None:
    text = "Alice met Bob in Paris."
    spans = [[{"start": 0, "end": 5, "label": "PER"}], [{"start": -1, "end": 5, "label": "PER"}],
             [{"start": 5, "end": 2, "label": "PER"}], [{"start": 0, "end": 999, "label": "PER"}],
             [{"start": 1, "end": 4, "label": "PER"}], [{"start": 0, "end": 5, "label": "NOPE"}],
             [{"start": "0", "end": "5", "label": "PER"}], [{"start": 0.5, "end": 5, "label": "PER"}],
             [{"start": 0, "end": 5, "label": "PER"}, {"start": 2, "end": 9, "label": "LOC"}],
             [{"start": 10**30, "end": 10**30 + 1, "label": "PER"}], "not a list", [None], [{"label": "PER"}],
             [{"start": 0, "end": 5}]]
    rows = [json.dumps({"text": text, "spans": sp}) for sp in spans]
    rows += ['{"text": 5, "spans": []}', '{"spans": []}', '{"text": "\\u0000 nul", "spans": []}', "{broken"]
    write("spans/hostile_spans.jsonl", "\n".join(rows) + "\n")
    write("spans/broken.conll", b"Alice B-PER\nmet O\nBob I-PER\nParis X-LOC\n\nonly_one_column\n"
          b"Bob B-PER extra cols\n\n\xff\xfe O\n\n-DOCSTART- O\n\n")


def image_cases() -> None:
    write("images/mixed/ok.png", _png(16, 12))
    write("images/mixed/truncated.png", _png(16, 12)[:40])
    write("images/mixed/empty.jpg", b"")
    write("images/mixed/text_named.jpg", b"this is not an image\n")
    write("images/mixed/bomb.png", _png_header_only(100_000, 100_000))
    write("images/mixed/svg_script.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')


def box_cases() -> None:
    coco = {
        "images": [{"id": 1, "file_name": "ok.png", "width": 16, "height": 12},
                   {"id": 2, "file_name": "../../../../etc/passwd", "width": 10, "height": 10},
                   {"id": 3, "file_name": "/etc/hostname", "width": 10, "height": 10},
                   {"id": 4, "file_name": "missing.png", "width": 10, "height": 10},
                   {"id": 1, "file_name": "ok.png", "width": 16, "height": 12},
                   {"file_name": "no_id.png"}, "not an object"],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
                        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [float("nan"), 1, 5, 5]},
                        {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1, 1, -5, 5]},
                        {"id": 4, "image_id": 1, "category_id": 99, "bbox": [1, 1, 5, 5]},
                        {"id": 5, "image_id": 1, "category_id": 1, "bbox": "1,1,5,5"},
                        {"id": 6, "image_id": 1, "category_id": 1, "bbox": [1e308, 1e308, 1e308, 1e308]},
                        {"id": 7, "image_id": 77, "category_id": 1, "bbox": [1, 1, 2, 2]},
                        {"id": 8, "image_id": 1, "category_id": 1, "bbox": [1, 1]}],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "../dog"}],
    }
    write("coco/annotations.json", json.dumps(coco).replace("NaN", "NaN"))
    write("coco/ok.png", _png(16, 12))
    write("coco_broken/annotations.json", '{"images": [{"id": 1, "file_name": "a.png"}], "annotations": [')
    write("yolo/data.yaml", "names:\n  0: cat\n  1: ../../dog\npath: /etc\ntrain: ../../../../etc\n")
    write("yolo/images/ok.png", _png(16, 12))
    write("yolo/images/bad.png", b"\x89PNG garbage")
    write("yolo/labels/ok.txt", "0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.2 0.2\n0 nan 0.5 0.2 0.2\n0 0.5 0.5 -1 0.2\n"
          "0 0.5\nzero 0.5 0.5 0.2 0.2\n0 5 5 0.2 0.2\n0 0.5 0.5 0.2 0.2 0.9 extra\n")
    write("yolo/labels/bad.txt", b"\xff\xfe\x00garbage\n")
    write("yolo_bomb/data.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
          "names: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n")
    write("yolo_bomb/images/ok.png", _png(16, 12))


def audio_cases() -> None:
    write("audio/clips/ok.wav", _wav())
    write("audio/clips/empty.wav", b"")
    write("audio/clips/truncated.wav", _wav()[:30])
    write("audio/clips/text.wav", b"not audio at all\n")
    header = bytearray(_wav()[:44])
    header[40:44] = struct.pack("<I", 0xFFFFFFF0)  # claims 4 GB of samples
    write("audio/clips/huge_header.wav", bytes(header) + b"\x00" * 64)
    rows = [{"audio": "clips/ok.wav", "text": "hello"}, {"audio": "../../../../etc/passwd", "text": "x"},
            {"audio": "/etc/hostname", "text": "x"}, {"audio": "clips/missing.wav", "text": "x"},
            {"audio": "clips/text.wav", "text": "x"}, {"audio": None, "text": "x"}, {"text": "no path"},
            {"audio": "clips/ok.wav", "text": 5}]
    write("audio/manifest.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n{broken\n")


def archive_cases() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("activelabel-backup.json", b'{"format": 1, "backend": "sqlite", "models_dir": "/x"}'),
                           ("../escaped.txt", b"written outside"), ("project/../../escaped2.txt", b"x"),
                           ("/tmp/absolute-escape.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("project/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc"
        tar.addfile(link)
    write("archives/traversal_backup.tar.gz", buf.getvalue())
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("../../escaped.png", _png(4, 4))
        z.writestr("ok.png", _png(4, 4))
    write("archives/traversal.zip", zbuf.getvalue())


if __name__ == "__main__":
    text_cases()
    span_cases()
    image_cases()
    box_cases()
    audio_cases()
    archive_cases()
    print(f"wrote {sum(1 for p in HERE.rglob('*') if p.is_file())} files under {HERE}")

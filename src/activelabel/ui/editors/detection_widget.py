"""The box-drawing widget of ``streamlit-image-annotation``, with three behaviours changed.

The wheel's own widget (0.8) relabels the selected box when the class is changed (and a box just drawn
is selected, so picking the class for the next box relabels the last one), and it reports boxes only
when its Complete button is pressed (so edits made without it are lost on submit). The same
JavaScript is served here from a patched copy: the class choice applies to new boxes only (and stays
put when a box is clicked), every edit is reported as it is made, the Complete button is hidden, and
Ctrl/Alt/Meta key presses made while the drawing has the focus are passed on to the page, where the
label page's shortcuts (Ctrl+Enter to submit) listen.
Each patch is an exact text replacement; a release the patches do not match is refused with a named
error rather than served unpatched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError, MissingDependencyError

#: (what the released bundle says, what is served instead)
PATCHES: tuple[tuple[str, str], ...] = (
    # the class select: remember the class for the next box; never relabel the selected one
    ("onChange:function(e){if(C(e.target.value),console.log(S),null!==S){for(var t=m.slice(),n=0;n<t.length;"
     "n++)t[n].id===S&&(t[n].label=e.target.value,t[n].stroke=c[t[n].label]);b(t)}}",
     "onChange:function(e){C(e.target.value)}"),
    # clicking a box selects it without changing the class chosen for new boxes
    ("i[s]=i[t],i[t]=u,o(i),l(e.label)}", "i[s]=i[t],i[t]=u,o(i)}"),
    # report every change of the boxes (not only on Complete); the first, unchanged state is not sent
    ('(0,t.useEffect)((function(){var e=function(e){if(f&&" "===e.key){',
     "(0,t.useEffect)((function(){var alv=m.map((function(e){return{bbox:[e.x,e.y,e.width,e.height],"
     "label_id:l.indexOf(e.label),label:e.label}})),als=JSON.stringify(alv);"
     "if(void 0===window.__alSent){window.__alSent=als}else if(als!==window.__alSent){window.__alSent=als;"
     "jr.setComponentValue(alv)}"
     'var e=function(e){if(f&&" "===e.key){'),
    # the Complete button is not needed any more
    ('jr.setComponentValue(t)},children:"Complete"}', 'jr.setComponentValue(t)},display:"none",children:"Complete"}'),
)

#: added at the end of the bundle: the page's hotkeys listen on the parent document, not in this frame
FORWARD_KEYS = (
    '\n;window.addEventListener("keydown",function(e){if(!(e.ctrlKey||e.altKey||e.metaKey)||window.parent===window)'
    'return;var c=new KeyboardEvent("keydown",{key:e.key,code:e.code,ctrlKey:e.ctrlKey,altKey:e.altKey,'
    'shiftKey:e.shiftKey,metaKey:e.metaKey,repeat:e.repeat,bubbles:!0,cancelable:!0});'
    'window.parent.document.dispatchEvent(c)||e.preventDefault()});\n')


class WidgetPatchError(ActiveLabelError):
    """The installed streamlit-image-annotation is not the release the detection editor patches."""


def _source() -> Path:
    try:
        import streamlit_image_annotation.Detection as det
    except ImportError as exc:
        raise MissingDependencyError("streamlit-image-annotation", "ui") from exc
    return Path(det.__file__).parent / "frontend" / "build"


def patch_bundle(text: str) -> str:
    """The bundle with every patch applied; each must match exactly once."""
    for old, new in PATCHES:
        if text.count(old) != 1:
            raise WidgetPatchError(
                f"streamlit-image-annotation's detection widget is not the release this version of activelabel "
                f"patches (found {text.count(old)} of {old[:60]!r}...): install streamlit-image-annotation==0.8.0")
        text = text.replace(old, new)
    return text + FORWARD_KEYS


def patched_build(source: Path, cache_root: Path) -> Path:
    """A patched copy of the widget's build folder under ``cache_root`` (made once per release and patch set)."""
    bundles = sorted((source / "static" / "js").glob("main.*.js"))
    if len(bundles) != 1:
        raise WidgetPatchError(f"{source}: expected one main.*.js bundle, found {len(bundles)}: "
                               "install streamlit-image-annotation==0.8.0")
    digest = hashlib.sha256(bundles[0].read_bytes() + (repr(PATCHES) + FORWARD_KEYS).encode()).hexdigest()[:16]
    dest = cache_root / f"activelabel-detection-widget-{digest}"
    if (dest / "index.html").exists():
        return dest
    patched = patch_bundle(bundles[0].read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=cache_root))
    shutil.copytree(source, work / "build", ignore=shutil.ignore_patterns("*.map"))
    (work / "build" / "static" / "js" / bundles[0].name).write_text(patched, encoding="utf-8")
    try:
        os.replace(work / "build", dest)  # atomic: two servers starting at once both end up with a whole copy
    except OSError:
        if not (dest / "index.html").exists():
            raise
    shutil.rmtree(work, ignore_errors=True)
    return dest


@cache
def component() -> Callable[..., Any]:
    """The Streamlit component function of the patched widget (declared once per process)."""
    import streamlit.components.v1 as components

    return components.declare_component("al-detection", path=str(patched_build(_source(),
                                                                               Path(tempfile.gettempdir()))))


def draw(image: Any, labels: list[str], boxes: list[list[float]], box_labels: list[int], *, size: int,
         line_width: float, key: str) -> list[dict[str, Any]] | None:
    """Show the image with its boxes ([x, y, w, h] in the image's pixels); returns the edited boxes, or None
    while nothing was edited. The image is made to fit ``size`` pixels, as the wheel's ``detection`` does."""
    from streamlit.elements.lib.image_utils import image_to_url
    from streamlit.elements.lib.layout_utils import LayoutConfig

    widget = component()  # first: it names the missing package if the wheel is not installed
    from streamlit_image_annotation.Detection import get_colormap

    image = image.copy()
    original_width = image.size[0]
    image.thumbnail(size=(size, size))
    scale = original_width / image.size[0]
    url = image_to_url(image, LayoutConfig(width=image.size[0], height=image.size[1]), True, "RGB", "PNG",
                       f"detection-{hashlib.md5(image.tobytes()).hexdigest()}-{key}")
    info = [{"bbox": [v / scale for v in b], "label_id": i, "label": labels[i]} for b, i in zip(boxes, box_labels)]
    value = widget(image_url=url, image_size=image.size, label_list=labels, bbox_info=info,
                        color_map=get_colormap(labels, colormap_name="gist_rainbow"), line_width=line_width,
                        use_space=False, key=key)
    if value is None:
        return None
    return [{"bbox": [v * scale for v in r["bbox"]], "label_id": r["label_id"], "label": r["label"]} for r in value]

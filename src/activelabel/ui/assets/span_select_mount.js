// The span editor's own mount (activelabel.ui.span_select); span_core.js, put before this, draws it.

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || !Array.isArray(data.segments)) return;
  let inst = parentElement.__alNer;
  if (!inst || inst.item !== data.item) {
    inst = create(parentElement, data);
    parentElement.__alNer = inst;
    inst.setStateValue = setStateValue;
    if (!data.reported) inst.report();  // the spans as first drawn: what a submit stores until edited
    // the next item after a submit: keep the keyboard in the text (unless the person is elsewhere)
    const focused = document.activeElement;
    if (!focused || focused === document.body || !document.contains(focused)
        || (focused.closest && focused.closest(".al-ner"))) inst.focus();
  } else {
    inst.setStateValue = setStateValue;
  }
}

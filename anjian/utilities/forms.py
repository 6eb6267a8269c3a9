"""Form helpers shared by every module's pages."""

from __future__ import annotations

from django import forms


def bootstrap(form: forms.BaseForm, small: bool = False) -> forms.BaseForm:
    """Give every widget of ``form`` its Bootstrap 5 class (``small``: the compact size of filter forms)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select" + (" form-select-sm" if small else "")
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)
    return form

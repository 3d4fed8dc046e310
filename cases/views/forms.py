"""What every workspace form does with a service's refusal: show it next to the field it names."""

from django import forms

from recovery.errors import InvalidInput


def show_refusal(form: forms.Form, refused: InvalidInput, *, fields: dict[str, str] | None = None) -> None:
    """Attach the service's message to its field (renamed through `fields` where the form calls it
    otherwise), or to the whole form when the form has no such field. The bound values stay."""
    name = (fields or {}).get(refused.field, refused.field)
    form.add_error(name if name in form.fields else None, refused.message)


class SaveViewForm(forms.Form):
    """All cases' "Save this view". Not required here: the service says what a name needs."""

    name = forms.CharField(label="Name", required=False, max_length=200)
    shared = forms.BooleanField(label="Show to everyone", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="view-%s", **kwargs)  # beside the filter form's own ids

"""The saved views' form, shown on the case list and posted to `cases.views.saved_views`."""

from django import forms


class SaveViewForm(forms.Form):
    """All cases' "Save this view". Not required here: the service says what a name needs."""

    name = forms.CharField(label="Name", required=False, max_length=200)
    shared = forms.BooleanField(label="Show to everyone", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="view-%s", **kwargs)  # beside the filter form's own ids

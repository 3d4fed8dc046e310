"""The saved views' form, shown on the case list and posted to `cases.views.saved_views`."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SaveViewForm(forms.Form):
    """All cases' "Save this view". Not required here: the service says what a name needs."""

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    shared = forms.BooleanField(label=_("Show to everyone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="view-%s", **kwargs)  # beside the filter form's own ids

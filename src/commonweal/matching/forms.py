from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import InvalidInput
from commonweal.core.money import parse_yuan


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=60)
    goal = forms.CharField(label=_("Team goal (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    story = forms.CharField(label=_("Why you fundraise"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    cover = forms.ImageField(label=_("Cover picture"), required=False)

    def clean_goal(self):
        try:
            self.cleaned_data["goal_fen"] = parse_yuan(self.cleaned_data["goal"], field="goal")
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None
        return self.cleaned_data["goal"]

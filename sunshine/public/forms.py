from django import forms
from django.utils.translation import gettext_lazy as _


class ResultLookupForm(forms.Form):
    reference = forms.CharField(label=_("报名编号"), max_length=20)
    id_last_four = forms.CharField(
        label=_("儿童身份证号后四位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

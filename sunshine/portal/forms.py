"""Forms of the parents' pages. Field names match the services' error keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunshine.portal.services import RELATIONS

_RELATION_CHOICES = [("", _("请选择"))] + [(r, r) for r in RELATIONS]


def _text(
    label: Any, *, autocomplete: str = "off", upper: bool = False, **kwargs: Any
) -> forms.CharField:
    attrs = {"autocomplete": autocomplete, "spellcheck": "false"}
    if upper:  # a final check character X is typed in capitals
        attrs["autocapitalize"] = "characters"
    return forms.CharField(label=label, widget=forms.TextInput(attrs=attrs), **kwargs)


class LoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "numeric"}
        ),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class ChildForm(forms.Form):
    name = _text(_("孩子姓名"), max_length=32)
    id_number = _text(_("孩子身份证号码"), max_length=24, upper=True)
    parent_name = _text(_("您的姓名"), autocomplete="name", max_length=32)
    parent_id_number = _text(_("您的身份证号码"), max_length=24, upper=True)
    relation = forms.ChoiceField(label=_("您与孩子的关系"), choices=_RELATION_CHOICES)
    add_other = forms.BooleanField(label=_("同时登记另一位监护人"), required=False)
    other_name = _text(_("另一位监护人姓名"), max_length=32, required=False)
    other_id_number = _text(_("另一位监护人身份证号码"), max_length=24, required=False, upper=True)
    other_phone = forms.CharField(
        label=_("另一位监护人手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )
    other_relation = forms.ChoiceField(
        label=_("另一位监护人与孩子的关系"), choices=_RELATION_CHOICES, required=False
    )
    twin_of = forms.TypedChoiceField(
        label=_("双胞胎（多胞胎）"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, twins: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        twin_field: Any = self.fields["twin_of"]
        twin_field.choices = [("", _("不是双胞胎"))] + [
            (pk, _("与%(name)s是双胞胎") % {"name": name}) for pk, name in twins
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("add_other"):
            for name in ("other_name", "other_id_number", "other_phone", "other_relation"):
                if not data.get(name):
                    self.add_error(name, _("请填写另一位监护人的信息，或取消勾选"))
        return data

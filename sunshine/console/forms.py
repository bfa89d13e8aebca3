"""Console forms. They turn typed text into service arguments; the services decide."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sunshine.engine.lottery.sources import (
    LOTTERY_GAMES,
    Source,
    TwoPersonMismatch,
    lottery_source,
    onsite_source,
)
from sunshine.schools.models import District, Level, RoundKind, SchoolKind, Term
from sunshine.schools.services import TIMETABLE_FIELDS

_MINUTES = "%Y-%m-%dT%H:%M"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[_MINUTES, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTES),
    )


class TimetableForm(forms.Form):
    registration_opens = _when(_("报名开始"))
    registration_closes = _when(_("报名截止"))
    verification_ends = _when(_("核验截止"))
    lottery_on = _when(_("摇号"))
    results_on = _when(_("公布结果"))

    def timetable(self) -> list[dt.datetime]:
        return [self.cleaned_data[name] for name in TIMETABLE_FIELDS]


class TermForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=32)
    reference_date = forms.DateField(
        label=_("事实认定基准日"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if Term.objects.filter(year=year).exists():
            raise ValidationError(_("该年度已存在"))
        return year


class RoundForm(TimetableForm):
    term = forms.ModelChoiceField(label=_("年度"), queryset=Term.objects.order_by("-year"))
    kind = forms.ChoiceField(label=_("批次类型"), choices=RoundKind.choices)
    level = forms.ChoiceField(label=_("学段"), choices=Level.choices)
    allows_private_choice = forms.BooleanField(
        label=_("可填报民办学校"), required=False, initial=True
    )

    field_order = ["term", "kind", "level", *TIMETABLE_FIELDS, "allows_private_choice"]


class SupplementaryForm(TimetableForm):
    allows_private_choice = forms.BooleanField(
        label=_("可填报民办学校"), required=False, initial=True
    )


class SchoolForm(forms.Form):
    code = forms.CharField(label=_("学校代码"), max_length=16)
    name = forms.CharField(label=_("学校名称"), max_length=64)
    district = forms.ModelChoiceField(label=_("区县"), queryset=District.objects.all())
    kind = forms.ChoiceField(label=_("办学性质"), choices=SchoolKind.choices)
    level = forms.ChoiceField(label=_("学段"), choices=Level.choices)
    address = forms.CharField(label=_("地址"), max_length=128)
    latitude = forms.FloatField(label=_("纬度"))
    longitude = forms.FloatField(label=_("经度"))
    class_size = forms.IntegerField(label=_("班额"), min_value=1, max_value=80, initial=45)

    def __init__(self, *args: Any, districts: Iterable[District] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if districts is not None:
            field = self.fields["district"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = District.objects.filter(pk__in=[d.pk for d in districts])


_QUOTA_LINE = re.compile(r"^\s*(?P<name>[^=＝:：]+?)\s*[=＝:：]\s*(?P<seats>\d+)\s*$")


class SeatPlanForm(forms.Form):
    seats = forms.IntegerField(label=_("学位数"), min_value=0, max_value=100_000)
    reserved = forms.CharField(
        label=_("预留名额（每行“名称=人数”）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reserved(self) -> dict[str, int]:
        quotas: dict[str, int] = {}
        for number, line in enumerate(self.cleaned_data["reserved"].splitlines(), start=1):
            if not line.strip():
                continue
            match = _QUOTA_LINE.match(line)
            if match is None:
                raise ValidationError(_("第%(n)s行应写成“名称=人数”") % {"n": number})
            name = match["name"].strip()
            if name in quotas:
                raise ValidationError(_("预留名额“%(name)s”重复") % {"name": name})
            quotas[name] = int(match["seats"])
        return quotas


def reserved_text(reserved: dict[str, int]) -> str:
    return "\n".join(f"{name}={seats}" for name, seats in reserved.items())


class ZoneImportForm(forms.Form):
    file = forms.FileField(label=_("片区表格（XLSX）"))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的表格"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件不能超过 5 MB"))
        content: bytes = upload.read()
        return content


class SourcesForm(forms.Form):
    """Public random sources announced before the draw: a lottery result and a number
    typed on site by two people independently."""

    game = forms.ChoiceField(
        label=_("公开彩票"),
        required=False,
        choices=[("", "—"), *((code, game.name) for code, game in LOTTERY_GAMES.items())],
    )
    draw_number = forms.CharField(label=_("期号"), required=False, max_length=16)
    numbers = forms.CharField(label=_("开奖号码"), required=False, max_length=120)
    onsite_label = forms.CharField(
        label=_("现场随机数名称"), required=False, max_length=32, initial="notary"
    )
    onsite_first = forms.CharField(
        label=_("现场随机数（第一人录入）"), required=False, max_length=64
    )
    onsite_second = forms.CharField(
        label=_("现场随机数（第二人录入）"), required=False, max_length=64
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sources: list[Source] = []
        if data.get("game") or data.get("draw_number") or data.get("numbers"):
            try:
                sources.append(
                    lottery_source(
                        data.get("game", ""), data.get("draw_number", ""), data.get("numbers", "")
                    )
                )
            except ValueError as problem:
                raise ValidationError({"numbers": str(problem)}) from None
        if data.get("onsite_first") or data.get("onsite_second"):
            label = re.sub(r"[^A-Za-z0-9._-]", "", data.get("onsite_label") or "") or "onsite"
            try:
                sources.append(onsite_source(label, data["onsite_first"], data["onsite_second"]))
            except TwoPersonMismatch as problem:
                raise ValidationError({"onsite_second": str(problem)}) from None
            except ValueError as problem:
                raise ValidationError({"onsite_second": str(problem)}) from None
        if not sources:
            raise ValidationError(_("请至少录入一个事先公布的随机数来源"))
        data["sources"] = sources
        return data


class ReleasedSeatsForm(forms.Form):
    reason = forms.CharField(label=_("空出原因"), max_length=200)

    def __init__(self, *args: Any, counts: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = []
        for count in counts:
            self.fields[f"released_{count.code}"] = forms.IntegerField(
                label=count.name,
                min_value=0,
                max_value=count.releasable,
                required=False,
                initial=0,
            )
            self.codes.append(count.code)

    def released(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(f"released_{code}") or 0 for code in self.codes}


class TeachersForm(forms.Form):
    names = forms.CharField(
        label=_("班主任姓名（每行一位）"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_names(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]
        if not names:
            raise ValidationError(_("请至少填写一位教师"))
        too_long = [n for n in names if len(n) > 32]
        if too_long:
            raise ValidationError(_("姓名过长：%(name)s") % {"name": too_long[0]})
        return names


class ExportForm(forms.Form):
    KINDS = [("admitted", _("录取名单")), ("coordinated", _("统筹安排与未录取名单"))]
    kind = forms.ChoiceField(label=_("名单"), choices=KINDS)
    format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    reason = forms.CharField(label=_("导出原因（将记入审计日志）"), min_length=4, max_length=200)

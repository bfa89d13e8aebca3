"""Real-estate certificate numbers (不动产权证号), checked for form before any query.

The form is the one of the unified real-estate registration introduced in 2015
(原国土资源部《关于启用不动产登记簿证样式（试行）的通知》, 国土资发〔2015〕25号):
province abbreviation, year in brackets, the registering city or county, then
不动产权第 and a seven-digit serial number, e.g. 湘(2023)常德市不动产权第0012345号.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Abbreviations of the 31 mainland provincial divisions, as printed on certificates.
_PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_FORM = re.compile(
    rf"([{_PROVINCE_ABBREVIATIONS}])\((\d{{4}})\)([\u4e00-\u9fff]{{2,12}}?)不动产权第(\d{{7}})号"
)
_BRACKETS = str.maketrans({"（": "(", "〔": "(", "[": "(", "）": ")", "〕": ")", "]": ")"})
_FULL_WIDTH_DIGITS = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
FIRST_CERTIFICATE_YEAR = 2015


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    province: str
    year: int
    registry: str
    serial: str

    def __str__(self) -> str:
        return f"{self.province}({self.year}){self.registry}不动产权第{self.serial}号"


def canonical_certificate_no(raw: str) -> str:
    """ASCII brackets and digits, no spaces: the form department look-ups receive."""
    text = "".join(raw.split()).translate(_BRACKETS).translate(_FULL_WIDTH_DIGITS)
    return text


def parse_certificate_no(raw: str, *, reference_date: dt.date) -> CertificateNumber | None:
    """The parts of a well-formed certificate number, or None when it is malformed.

    The year must lie between 2015 (the first unified certificates) and the
    reference date's year.
    """
    match = _FORM.fullmatch(canonical_certificate_no(raw))
    if match is None:
        return None
    province, year, registry, serial = match.groups()
    if not FIRST_CERTIFICATE_YEAR <= int(year) <= reference_date.year:
        return None
    return CertificateNumber(province, int(year), registry, serial)

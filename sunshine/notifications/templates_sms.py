"""SMS templates by id, as Chinese SMS providers require (template id + parameters)."""

from __future__ import annotations

import string

TEMPLATES: dict[str, str] = {
    "SUBMITTED": "【阳光招生】{child}的入学申请（编号{reference}）已提交，请留意核验结果。",
    "CHECK_FAILED": "【阳光招生】{child}的入学申请有核验项未通过：{reason}。请登录平台查看并更正。",
    "ADMITTED": "【阳光招生】{child}已被{school}录取，请登录平台下载录取通知书并确认报到。",
    "UNPLACED": "【阳光招生】{child}本轮暂未录取，请关注补报名安排。",
    "SUPPLEMENTARY_OPEN": "【阳光招生】补报名已开放，截止{closes}，请及时登录平台填报。",
    "LOGIN_CODE": "【阳光招生】您的登录验证码为{code}，5分钟内有效，请勿告诉他人。",
    "CATEGORY_ASSIGNED": (
        "【阳光招生】{child}的入学申请已核验，招生类别为{category}，详情请登录平台查看。"
    ),
    "LOTTERY_DRAWN": (
        "【阳光招生】{school}摇号已完成，{child}的摇号序号为{number}，请登录平台查看结果。"
    ),
}


def render(template_id: str, params: dict[str, str]) -> str:
    return TEMPLATES[template_id].format(**params)


def parameter_names(template_id: str) -> list[str]:
    """The template's parameters in the order they appear (providers that take a list)."""
    return [name for _, name, _, _ in string.Formatter().parse(TEMPLATES[template_id]) if name]

"""The personal-information notice a guardian reads and consents to before submitting.

Children under fourteen: their personal information is sensitive personal
information (Personal Information Protection Law of the PRC, art. 28), it is
processed with a guardian's consent (art. 31), given separately for sensitive
information (art. 29), after a notice of the items art. 17 lists (who
processes, purpose, method, kinds of information, retention, how to exercise
rights) and, for sensitive information, why it is needed and what it means
(art. 30). Each submission records the version and hash of the notice shown.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

NOTICE_VERSION = "2024.1"

NOTICE = (
    (
        _("谁在处理"),
        _(
            "本市教育行政部门通过“阳光招生”平台办理义务教育入学。"
            "学校只能看到报读本校的申请，工作人员的每一次查询都记入审计日志。"
        ),
    ),
    (
        _("为什么处理"),
        _(
            "仅用于办理入学报名、入学资格核验、招生类别认定、摇号录取、"
            "录取通知和报到，不用于其他目的。"
        ),
    ),
    (
        _("处理哪些信息"),
        _(
            "孩子的姓名、身份证号码（由此得出出生日期和性别）；监护人的姓名、身份证号码、手机号码；"
            "居住地址和户籍地址；不动产权证号、租赁备案编号、居住证号码（如填写）。"
        ),
    ),
    (
        _("如何处理"),
        _(
            "平台依法向公安（户籍）、自然资源和规划（不动产登记）、住房和城乡建设（租赁备案）、"
            "人力资源和社会保障（社会保险）等部门核验您填写的信息，您无需上传证明材料。"
            "身份证号码、手机号码和地址加密保存；公示名单只显示遮盖后的姓名和证件号。"
        ),
    ),
    (
        _("敏感个人信息"),
        _(
            "不满十四周岁未成年人的个人信息属于敏感个人信息。不提供这些信息将无法核验入学资格，"
            "但您可以申请人工审核或到学校现场办理。"
        ),
    ),
    (
        _("保存多久"),
        _("招生年度结束后，个人信息按本市保存期限删除，只保留不含个人信息的统计数据和公开记录。"),
    ),
    (
        _("您的权利"),
        _(
            "您可以在平台上查阅和更正申报信息，在报名截止前撤回申请；"
            "也可以向学校或区县教育局咨询、投诉。"
        ),
    ),
)

CONSENT = _(
    "我是孩子的监护人，已阅读上述个人信息处理告知，同意为办理入学处理孩子和本人的上述信息。"
)


def shown() -> tuple[list[tuple[str, str]], str]:
    """The notice's paragraphs and the consent sentence in the page's language."""
    return [(gettext(head), gettext(text)) for head, text in NOTICE], gettext(CONSENT)


# The hash is over the Chinese original, whichever language the page was shown in.
NOTICE_SHA256 = hashlib.sha256(
    "\n".join([*(part for pair in NOTICE for part in pair), CONSENT]).encode()
).hexdigest()

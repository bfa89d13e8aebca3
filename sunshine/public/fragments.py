"""Parts of public pages that every visitor sees alike, rendered once every few seconds.

On the first morning of registration thousands of families read the same seat and
demand figures; counting applications for each of them would cost more than every
other request together. The part that is the same for everyone is kept in the cache,
per language, for ``SUNSHINE_PUBLIC_FIGURES_SECONDS``; the page says when it was counted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language


def shared_fragment(template_name: str, context: Callable[[], dict[str, Any]]) -> SafeString:
    """``template_name`` rendered with ``context()``, reused by everyone for a few seconds.

    The template must not depend on who is reading (no user, no CSRF token): it is
    rendered without the request.
    """
    seconds = settings.SUNSHINE_PUBLIC_FIGURES_SECONDS
    key = f"public-fragment:{template_name}:{get_language()}"
    html: str | None = cache.get(key) if seconds else None
    if html is None:
        html = render_to_string(template_name, {**context(), "refresh_seconds": seconds})
        if seconds:
            cache.set(key, html, seconds)
    # Rendered by our own template with autoescaping on, so it is safe as it stands.
    return mark_safe(html)

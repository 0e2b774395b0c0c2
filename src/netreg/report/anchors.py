"""Safe, unique ``id`` attributes for headings, so a table of contents can link to them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, fallback: str = "section") -> str:
    """A lowercase ASCII slug: letters, digits and single hyphens, starting with a letter.

    Accents are folded (``é`` → ``e``), every other run of characters becomes one hyphen,
    and a slug that would be empty or start with a digit gets ``fallback`` in front.

    Examples
    --------
    >>> slugify("Élastic Net: λ by CV <script>")
    'elastic-net-by-cv-script'
    >>> slugify("1-SE rule")
    'section-1-se-rule'
    """
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")[:60].strip("-")
    if not slug:
        return fallback
    if not slug[0].isalpha():
        return f"{fallback}-{slug}"
    return slug


class AnchorSet:
    """Hands out unique slugs: the second ``results`` becomes ``results-2``, and so on.

    Parameters
    ----------
    reserved : iterable of str
        Ids already used by the page itself, never handed out.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._used: set[str] = set(reserved)

    def new(self, text: str, *, fallback: str = "section") -> str:
        """A fresh id for ``text``, different from every id handed out or reserved so far."""
        base = slugify(text, fallback=fallback)
        anchor, n = base, 1
        while anchor in self._used:
            n += 1
            anchor = f"{base}-{n}"
        self._used.add(anchor)
        return anchor

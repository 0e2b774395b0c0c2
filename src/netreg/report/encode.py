"""Turn a figure into PNG bytes or a ``data:`` URI, so a report needs no image files."""

from __future__ import annotations

import base64
import io
import sys

from matplotlib.figure import Figure

from netreg._validation import check_positive

#: The eight bytes every PNG file starts with.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URI_PREFIX = "data:image/png;base64,"


def close_figure(fig: Figure) -> None:
    """Release a figure: drop it from pyplot's registry if pyplot made it, then clear it.

    pyplot is never imported here; it is only consulted when the caller already loaded it.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()


def figure_to_png(fig: Figure, *, dpi: float = 100.0, close: bool = True) -> bytes:
    """Render ``fig`` to PNG bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Any figure, including one made with pyplot.
    dpi : float, default 100
        Resolution; the pixel size is ``figsize * dpi``.
    close : bool, default True
        Release the figure afterwards (see :func:`close_figure`), so a loop that makes
        hundreds of figures does not keep them all in memory.

    Returns
    -------
    bytes
        A PNG file, starting with :data:`PNG_SIGNATURE`.
    """
    if not isinstance(fig, Figure):
        raise TypeError(
            f"`fig` must be a matplotlib.figure.Figure. Received: fig={type(fig).__name__}"
        )
    dpi = check_positive("dpi", dpi)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi)
    finally:
        if close:
            close_figure(fig)
    return buffer.getvalue()


def png_to_data_uri(png: bytes) -> str:
    """``data:image/png;base64,…`` for PNG bytes; refuses bytes that are not a PNG."""
    if not isinstance(png, (bytes, bytearray)) or not bytes(png).startswith(PNG_SIGNATURE):
        shown = bytes(png[:8]) if isinstance(png, (bytes, bytearray)) else type(png).__name__
        raise ValueError(f"`png` must be the bytes of a PNG file. Received: png={shown!r}")
    return DATA_URI_PREFIX + base64.b64encode(bytes(png)).decode("ascii")


def figure_to_data_uri(fig: Figure, *, dpi: float = 100.0, close: bool = True) -> str:
    """Render ``fig`` as a PNG ``data:`` URI for an ``<img src=…>``; closes it by default.

    Examples
    --------
    >>> from netreg.report import bar_comparison, figure_to_data_uri
    >>> uri = figure_to_data_uri(bar_comparison(["L1", "L2"], [0.31, 0.29], ylabel="MSE"))
    >>> uri.startswith("data:image/png;base64,")
    True
    """
    return png_to_data_uri(figure_to_png(fig, dpi=dpi, close=close))

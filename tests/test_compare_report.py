"""The compare report: valid HTML, every section, every image a PNG, user strings escaped."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from netreg.compare import SECTIONS, build_report
from netreg.report import write_report
from tests.test_compare_support import HOSTILE, synthetic_result

VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "area", "base", "wbr"}
CHROMIUM = Path("/usr/bin/chromium")


class _Page(HTMLParser):
    """Collects headings, image sources and tag nesting problems."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.images: list[str] = []
        self.headings: list[str] = []
        self.scripts = 0
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag in ("h2", "h3"):
            self._heading, self._text = tag, []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == self._heading:
            self.headings.append("".join(self._text).strip())
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)


@pytest.fixture(scope="module")
def html() -> str:
    return build_report(synthetic_result()).render()


@pytest.fixture(scope="module")
def page(html) -> _Page:
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def test_html_parses_and_nests(page):
    assert page.problems == []
    assert page.stack == []


def test_every_section_is_there(page):
    for title in SECTIONS:
        assert title in page.headings, title


def test_every_image_is_an_embedded_png_that_decodes(page):
    assert len(page.images) >= 8
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        image.verify()
        assert image.format == "PNG"


def test_strings_from_the_data_are_escaped(html, page):
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert page.scripts == 0


def test_no_network_use(html):
    addresses = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert addresses
    assert all(a.startswith(("data:image/png", "#")) for a in addresses), addresses
    assert "@import" not in html and "url(" not in html


def test_dollar_in_a_column_name_does_not_break_the_figures():
    """matplotlib reads $…$ as mathtext; the report escapes it, so rendering succeeds."""
    result = synthetic_result(seed=3)
    assert any("$" in c for c in result.input_columns)
    assert build_report(result).render().count("data:image/png") >= 8


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_chromium_renders_a_page_that_is_not_blank(tmp_path):
    report = write_report(build_report(synthetic_result()), tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
        "--window-size=1200,2400", report.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, check=False, capture_output=True, timeout=120)
    assert shot.exists(), "chromium wrote no screenshot"
    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    histogram = image.histogram()
    dark = sum(histogram[:200]) / (image.width * image.height)
    assert high - low > 100  # text and figures, not one flat colour
    assert dark > 0.01  # more than a few stray pixels are not white
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_report_says_whether_max_norm_was_active():
    result = synthetic_result()
    assert "never active" in build_report(result).render()
    result.methods[-1].max_unit_norm = 3.0  # a unit on the bound c = 3
    assert "constraint was active" in build_report(result).render()

"""HTML reports: hostile strings stay text, the page is well formed, self-contained and linked."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from netreg.report import (
    Report,
    bar_comparison,
    figure_to_data_uri,
    figure_to_png,
    format_number,
    format_value,
    slugify,
    verdict_kind,
    write_report,
)
from netreg.report.encode import PNG_SIGNATURE

HOSTILE = "<script>alert(1)</script>"
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"}
ALLOWED_TAGS = VOID - {"link", "input", "source"} | {
    "html",
    "head",
    "title",
    "style",
    "body",
    "main",
    "header",
    "footer",
    "nav",
    "section",
    "article",
    "div",
    "h1",
    "h2",
    "h3",
    "p",
    "ol",
    "li",
    "a",
    "span",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


class PageChecker(HTMLParser):
    """Collects tags, attributes and text; checks that every non-void tag is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]!r}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append((self.stack[-1] if self.stack else "", data.strip()))

    def attrs(self, name: str) -> list[str]:
        return [a[name] or "" for _, a in self.tags if name in a]


def parse(html: str) -> PageChecker:
    checker = PageChecker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [], checker.errors
    assert checker.stack == [], f"unclosed tags: {checker.stack}"
    return checker


def tiny_figure() -> Figure:
    return bar_comparison(["a", "b"], [1.0, 2.0], ylabel="y")


def full_report() -> Report:
    report = Report("netreg compare", subtitle="diabetes, 5-fold CV")
    report.add_text("Summary", "First paragraph.\nSecond line.\n\nSecond paragraph.")
    report.add_section("Results", intro="Each method tuned by CV.")
    report.add_table(
        "Test error",
        ["method", "MSE", "nonzero"],
        [["L1", 0.51234, 7], {"method": "L2", "MSE": 0.49, "nonzero": 10}],
        note="± is one standard error",
        highlight_rows=[1],
    )
    report.add_figure("Test error by method", figure_to_data_uri(tiny_figure(), dpi=30))
    report.add_section("Claims")
    report.add_verdict(
        "l1-sparsity",
        "L1 makes weights exactly zero",
        "holds only when the step is proximal",
        "Penalty in the loss left 0 zeros; the prox step left 70.",
        figure=figure_to_png(tiny_figure(), dpi=30),
        numbers={"zeros (loss)": 0, "zeros (prox)": 70, "fraction": 0.7},
    )
    report.add_verdict("weight-decay-sgd", "L2 is weight decay under SGD", "holds", "Equal.")
    return report


# ----------------------------------------------------------------- escaping (RELIABILITY 26)


def test_script_column_and_markup_cell_render_as_text() -> None:
    html = Report("t").add_table("T", [HOSTILE, "b"], [["<b>x</b>", 1]]).render()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    page = parse(html)
    assert "b" not in {tag for tag, _ in page.tags}
    assert ("th", HOSTILE) in page.text and ("td", "<b>x</b>") in page.text


def test_every_user_string_is_escaped() -> None:
    evil = '<img src=x onerror="alert(1)"><a href="https://evil.example">x</a>' + HOSTILE
    report = Report(evil, subtitle=evil)
    report.add_text(evil, evil).add_section(evil, intro=evil)
    report.add_table(evil, [evil], [[evil]], note=evil)
    report.add_figure(evil, tiny_figure(), caption=evil)
    report.add_verdict(evil, evil, "does not hold", evil, numbers={evil: evil})
    page = parse(report.render())
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert all(src.startswith("data:image/png;base64,") for src in page.attrs("src"))
    assert all(href.startswith("#") for href in page.attrs("href"))
    assert sum(text == evil for _, text in page.text) >= 10


# ------------------------------------------------------------------ structure and content


def test_page_is_balanced_and_shows_every_title() -> None:
    report = full_report()
    html = report.render()
    assert html.startswith("<!DOCTYPE html>\n<html")
    page = parse(html)
    headings = {text for tag, text in page.text if tag in {"h1", "h2", "h3"}}
    assert {"netreg compare", "Summary", "Results", "Test error", "Claims"} <= headings
    assert {"Test error by method", "L1 makes weights exactly zero"} <= headings
    assert ("title", "netreg compare") in page.text


def test_table_of_contents_links_resolve_to_unique_ids() -> None:
    report = full_report().add_section("Results").add_text("Test error", "again")
    page = parse(report.render())
    ids = page.attrs("id")
    assert len(ids) == len(set(ids))
    assert {"results", "results-2", "test-error", "test-error-2"} <= set(ids)
    targets = [href[1:] for href in page.attrs("href")]
    assert targets and set(targets) <= set(ids)
    assert "claim-l1-sparsity" in targets


def test_every_image_is_an_inline_png_that_decodes() -> None:
    page = parse(full_report().render())
    sources = page.attrs("src")
    assert len(sources) == 2
    for src in sources:
        prefix, payload = src.split(",", 1)
        assert prefix == "data:image/png;base64"
        png = base64.b64decode(payload, validate=True)
        assert png.startswith(PNG_SIGNATURE)
        image = Image.open(io.BytesIO(png))
        image.load()
        assert image.width > 10 and image.height > 10


def test_no_network_references_or_scripts() -> None:
    html = full_report().render()
    lowered = html.lower()
    for needle in ("http://", "https://", "<script", "url(", "@import", "<link", "<iframe"):
        assert needle not in lowered, needle
    page = parse(html)
    assert not [s for s in page.attrs("src") + page.attrs("href") if s.startswith("//")]


def test_numbers_are_formatted_and_numeric_columns_align_right() -> None:
    html = Report("t").add_table("T", ["name", "x"], [["a", 0.512345], ["b", None]]).render()
    assert '<td class="num">0.5123</td>' in html
    assert '<td class="num">—</td>' in html
    assert '<th scope="col" class="num">x</th>' in html
    assert '<tr class="highlight">' not in html


def test_verdicts_get_badges_and_a_summary() -> None:
    page = parse(full_report().render())
    badges = [a.get("class") for tag, a in page.tags if tag == "span"]
    assert badges.count("badge partial") == 2 and badges.count("badge holds") == 2
    assert ("h2", "Verdicts at a glance") in page.text
    assert ("td", "70") in page.text


def test_render_is_deterministic_and_repeatable() -> None:
    report = full_report()
    assert report.render() == report.render()


def test_minimal_report_renders() -> None:
    page = parse(Report("Only a title").render())
    assert ("h1", "Only a title") in page.text
    assert "nav" not in {tag for tag, _ in page.tags}
    page = parse(Report("t").add_table("Empty", ["a"], []).render())
    assert ("td", "no rows") in page.text


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda r: r.add_table("T", ["a", "b"], [[1]]), ValueError, r"Row 0 has 1 cells"),
        (lambda r: r.add_table("T", ["a"], [{"b": 1}]), ValueError, r"missing \['a'\]"),
        (lambda r: r.add_table("T", "ab", []), TypeError, "columns"),
        (lambda r: r.add_table("T", ["a"], [[1]], highlight_rows=[3]), ValueError, "highlight"),
        (lambda r: r.add_figure("F", "https://example.com/x.png"), ValueError, "data:image/png"),
        (lambda r: r.add_figure("F", b"GIF89a"), ValueError, "PNG"),
        (lambda r: r.add_figure("F", "data:image/png;base64,AAAA"), ValueError, "PNG"),
        (lambda r: r.add_figure("F", 3), TypeError, "figure"),
        (lambda r: r.add_verdict("c", "t", "maybe", "x"), ValueError, "verdict='maybe'"),
        (lambda r: r.add_verdict("", "t", "holds", "x"), ValueError, "claim_id"),
        (lambda r: r.add_verdict("c", "t", "holds", "x", numbers=[1]), TypeError, "numbers"),
        (lambda r: r.add_section(""), ValueError, "title"),
        (lambda r: r.add_text("T", None), TypeError, "text"),
    ],
)
def test_bad_blocks_are_refused_where_they_are_added(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call(Report("t"))


def test_report_needs_a_title() -> None:
    with pytest.raises(ValueError, match="title"):
        Report("  ")


@pytest.mark.parametrize(
    "verdict, kind",
    [
        ("holds", "holds"),
        ("Does  not hold", "fails"),
        ("holds only when the step is proximal", "partial"),
        ("inconclusive", "inconclusive"),
    ],
)
def test_verdict_kinds(verdict: str, kind: str) -> None:
    assert verdict_kind(verdict) == kind


@pytest.mark.parametrize("verdict", ["holds only when", "holds only when …", "yes", ""])
def test_incomplete_verdicts_are_refused(verdict: str) -> None:
    with pytest.raises(ValueError, match="verdict"):
        verdict_kind(verdict)


# ------------------------------------------------------------------- formatting and slugs


@pytest.mark.parametrize(
    "value, text",
    [
        (3, "3"),
        (np.int64(12345), "12345"),
        (2.5, "2.5"),
        (np.float32(0.1), "0.1"),
        (0.000123456, "0.0001235"),
        (123456.0, "1.235e+05"),
        (-0.0, "0"),
        (float("nan"), "NaN"),
        (float("-inf"), "−∞"),
        (True, "yes"),
        (None, "—"),
        ((0.1, 0.25), "[0.1, 0.25]"),
        ("text", "text"),
    ],
)
def test_format_value(value, text: str) -> None:
    assert format_value(value) == text


def test_format_number_keeps_four_significant_digits() -> None:
    for x in np.geomspace(1e-6, 1e6, 25):
        assert abs(float(format_number(x)) - x) <= 5e-4 * x


@pytest.mark.parametrize("title", ["Résumé", "λ path", "1-SE rule", HOSTILE, "a" * 200, ""])
def test_slugs_are_safe_ids(title: str) -> None:
    slug = slugify(title)
    assert slug and slug[0].isalpha() and len(slug) <= 70
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


# ------------------------------------------------------------------------------ writing


def test_write_report_writes_the_rendered_page(tmp_path: Path) -> None:
    report = full_report()
    path = write_report(report, tmp_path / "report.html")
    assert path == (tmp_path / "report.html").resolve()
    assert path.read_text(encoding="utf-8") == report.render()
    with pytest.raises(FileExistsError, match="--force"):
        write_report(report, path)
    write_report("<!DOCTYPE html><p>new</p>", path, force=True)
    assert "new" in path.read_text(encoding="utf-8")


def test_write_report_checks_the_path_before_rendering(tmp_path: Path, monkeypatch) -> None:
    def fail() -> str:
        raise AssertionError("rendered although the path was refused")

    report = Report("t")
    monkeypatch.setattr(report, "render", fail)
    missing = tmp_path / "no-such-folder"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing.resolve()))):
        write_report(report, missing / "r.html")
    with pytest.raises(TypeError, match="Report"):
        write_report(b"bytes", tmp_path / "r.html")


# ------------------------------------------------------------------- in a real browser

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()), None
)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = write_report(full_report(), tmp_path / "report.html")
    shot = tmp_path / "s.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    image = Image.open(shot).convert("RGB")
    assert image.getcolors(maxcolors=1) is None, "the screenshot is blank"

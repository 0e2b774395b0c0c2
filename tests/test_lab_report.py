"""The lab report passes the same HTML checks as the compare report (issue 'lab', item 4)."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from netreg.lab import run_claims
from netreg.lab.report import build_lab_report
from tests.test_compare_report import _Page

FAST = ["l1-norm-examples", "l2-proportional", "weight-decay-sgd", "weight-decay-adam"]


@pytest.fixture(scope="module")
def results():
    return run_claims(FAST)


@pytest.fixture(scope="module")
def html(results) -> str:
    return build_lab_report(results).render()


@pytest.fixture(scope="module")
def page(html) -> _Page:
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def test_lab_html_parses_and_nests(page):
    assert page.problems == [] and page.stack == []


def test_every_claim_has_its_card_and_figure(results, page, html):
    for r in results:
        assert r.title in page.headings, r.title
        assert f'id="claim-{r.id}"' in html
    assert len(page.images) >= len(results)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        image.verify()


def test_verdicts_on_the_page_are_the_computed_ones(results, html):
    verdicts = {r.id: r.verdict for r in results}
    assert verdicts["weight-decay-sgd"] == "holds"
    assert verdicts["weight-decay-adam"] == "does not hold"
    for verdict in verdicts.values():
        assert verdict in html


def test_no_scripts_and_no_network(html, page):
    assert page.scripts == 0
    assert "http://" not in html and "https://" not in html

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from helpers import skip_or_fail

import symact
from symact import blocks as B
from symact.render import katex_status


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    if katex_status():
        skip_or_fail("SYMACT_REQUIRE_KATEX", f"KaTeX unavailable: {katex_status()}")
    out = tmp_path_factory.mktemp("catalog")
    exe = shutil.which("symact")
    done = subprocess.run([exe, "catalog", "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, done


def test_every_entry_has_a_page_and_a_plot(catalog):
    out, done = catalog
    for name in symact.names() + B.block_names():
        page = (out / f"{name}.md").read_text(encoding="utf-8")
        assert page.startswith("# ") and "$$" in page and f"({name}.png)" in page
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if name in symact.names():  # the property sheet, each fact with how it was established
            assert "## Properties" in page and "Lipschitz constant: " in page and "[symbolic]" in page
    index = (out / "index.md").read_text(encoding="utf-8")
    assert all(f"({n}.md)" in index for n in symact.names())
    total = len(symact.names()) + len(B.block_names())
    assert f"[{total}/{total}]" in done.stderr  # progress


def test_html_is_self_contained(catalog):
    out, _ = catalog
    html = (out / "catalog.html").read_text(encoding="utf-8")
    assert html.count("<math") > 200 and "data:image/png;base64," in html
    assert "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "")
    assert "https://" not in html and "<script" not in html


def _screenshot(page: Path, shot: Path) -> bytes:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        skip_or_fail("SYMACT_REQUIRE_CHROMIUM", "Chromium not installed (apt-get install chromium)")
    profile = tempfile.mkdtemp()
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--window-size=1000,1600", f"--screenshot={shot}",
                    page.as_uri()], capture_output=True, timeout=120)
    return shot.read_bytes()


def test_html_renders_in_headless_chromium(catalog):
    out, _ = catalog
    shot = out / "shot.png"
    data = _screenshot(out / "catalog.html", shot)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank page compresses to a few kB; formulas, text and a plot do not
    assert len(data) > 50_000
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.std() > 0.05  # not a uniform colour


def test_markdown_only_without_katex(tmp_path):
    from symact.catalog import build

    written = build(tmp_path, html_page=False, progress=False)
    assert not (tmp_path / "catalog.html").exists()
    assert len([p for p in written if p.suffix == ".md"]) == len(symact.names()) + len(B.block_names()) + 1


def test_plots_by_name(tmp_path):
    from symact.plot import plot

    path = plot(["gelu", "relu", "swish", "swish:beta=0.5", "swiglu"], tmp_path / "p.png", derivative=True)
    assert Path(path).read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(symact.UnknownActivationError, match="see `symact list`"):
        plot(["nope"], tmp_path / "q.png")
    with pytest.raises(symact.InvalidArgumentError, match="not a number"):
        plot(["swish:beta=abc"], tmp_path / "q.png")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The static site with formulas rendered in Python (latex2mathml): no Node needed."""
    from symact.catalog import build

    out = tmp_path_factory.mktemp("site")
    build(out, engine="latex2mathml", progress=False, properties=False)  # the sheets: the slow catalog fixture
    return out


def test_site_has_an_index_of_cards_and_a_page_per_entry(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    names = symact.names() + B.block_names()
    for name in names:
        assert f'href="{name}.html"' in index and f'src="{name}.png"' in index, name
        page = (site / f"{name}.html").read_text(encoding="utf-8")
        assert '<a href="index.html">' in page and f'src="{name}.png"' in page and "<math" in page, name
        assert "<script" not in page and "https://" not in page
    assert index.count("<math") == len(names)  # one formula per card
    assert "math{font-family" in index  # a math font stylesheet for MathML Core
    assert "<munder>" in (site / "gelu.html").read_text(encoding="utf-8")  # limits underneath, not subscripts


@pytest.mark.parametrize("page", ["index.html", "swiglu.html"])
def test_site_renders_in_headless_chromium(site, page):
    data = _screenshot(site / page, site / f"{page}.png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000
    import matplotlib.image as mpimg

    assert mpimg.imread(site / f"{page}.png").std() > 0.05


def test_catalog_engine_errors(tmp_path):
    from symact.catalog import build

    with pytest.raises(symact.SymactError, match="unknown LaTeX engine"):
        build(tmp_path, engine="mathjax", progress=False)

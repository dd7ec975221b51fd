"""The catalog: a Markdown page per activation and block (MkDocs/Sphinx) and a small static HTML site.

The site has an index (a card per entry: thumbnail plot and formula), one page per activation and block,
and ``catalog.html`` with everything on one page (plots as data URIs). Formulas are pre-rendered to MathML
(latex2mathml in Python, or KaTeX where Node has it), so the pages need no network, fonts or scripts.
"""

from __future__ import annotations

import base64
import html
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sympy as sp

from . import blocks as B
from .errors import SymactError
from .latex import expression as tex
from .latex import interval_text, latex, lhs
from .registry import get, names
from .spellings import which
from .summary import Derived, Summary, summary

# One section of a page: (heading, [(kind, text)]) where kind is "math", "text" or "image".
Section = tuple[str, list[tuple[str, str]]]


def _limit_items(act: Any, info: Summary) -> list[tuple[str, str]]:
    """LaTeX for the limits and asymptotes of a :class:`~symact.summary.Summary` (text where undecided)."""
    f = lhs(act)

    def item(key: str, result: Derived, before: str, after: str = "") -> tuple[str, str]:
        if result.value is None:
            return ("text", f"{key}: {result.note}")
        return ("math", before + tex(result.value) + after)

    def towards(point: Any) -> str:
        return r"+\infty" if point == sp.oo else r"-\infty"

    at_x = [item(lim.key, lim.result, rf"\lim_{{x \to {towards(lim.point)}}} {f} = ")
            for lim in info.limits if lim.variable == "x"]
    asymptotes = [item(a.key, a.result, rf"{f} \sim ", rf" \quad \left(x \to {towards(a.point)}\right)")
                  for a in info.asymptotes]
    in_params = []
    for lim in info.limits:
        if lim.variable != "x":
            to = r"\infty" if lim.point == sp.oo else f"{tex(lim.point)}^{{+}}"
            in_params.append(item(lim.key, lim.result, rf"\lim_{{{tex(lim.symbol)} \to {to}}} {f} = "))
    return at_x + asymptotes + in_params


def activation_sections(name: str) -> tuple[str, list[Section]]:
    from .reference import REFERENCE, reference_latex

    act = get(name)
    info = summary(act)
    params = [("text", f"{p.name} = {float(p.default)!r}, in {interval_text(p.domain)}: {p.doc}")
              for p in act.parameters]
    limits = _limit_items(act, info)
    series = info.series
    series_item = ("math", f"{tex(series.value)} + O(x^{{{info.order}}})") if series.value is not None \
        else ("text", series.note)
    sections: list[Section] = [
        ("Definition", [("math", latex(act)), ("text", f"formula: {act.formula}"),
                        *([("text", "aliases: " + ", ".join(act.aliases))] if act.aliases else []), *params]),
        ("Derivatives", [("math", latex(act, 1)), ("math", latex(act, 2))]),
        ("Limits and asymptotes", limits),
        ("Series at 0", [series_item]),
        *([("Reference implementation (latexify-py)", [("math", reference_latex(act.name))])]
          if act.name in REFERENCE else []),  # user definitions have none
        ("Plot", [("image", name)]),
        *_spellings_section(act.name),
        ("References", [("text", r) for r in act.references] + ([("text", act.notes)] if act.notes else [])),
    ]
    return f"{act.name}: {act.formula}", sections


def _property_items(act: str) -> list[tuple[str, str]]:
    """The property sheet's rows, each with how it was established (symact.properties)."""
    from .symbolic.properties import properties

    try:
        sheet = properties(act)
    except SymactError as exc:
        return [("text", f"undecided: {exc}")]
    return [("text", f"{p}: {t} [{h}]") for p, t, h in sheet.facts()] + [("text", f"note: {n}") for n in sheet.notes]


def _spellings_section(name: str) -> list[Section]:
    """How the frameworks spell this definition (symact.spellings), when any does."""
    rows = which(name).spellings
    return [("Framework spellings", [("text", f"{q}: {call}") for q, _, call, _ in rows])] if rows else []


def block_sections(name: str) -> tuple[str, list[Section]]:
    block = B.get_block(name)
    grads = B.gradient_latex(block)
    sections: list[Section] = [
        ("Definition", [("math", B.latex(block)), ("math", B.latex(block, output=True)),
                        ("math", B.latex(block, output=True, bias=False)), ("text", f"formula: {block.formula}")]),
        ("Scalar form", [("math", tex(block.scalar()))]),
        ("Gradients", [("math", v) for v in grads.values()]),
        ("Parameters", [("math", rf"\text{{without biases}}\quad {tex(B.param_count(block))}"),
                        ("math", rf"\text{{with biases}}\quad {tex(B.param_count(block, bias=True))}")]),
        ("Plot", [("image", name)]),
        *_spellings_section(block.name),
        ("References", [("text", r) for r in block.references] + ([("text", block.notes)] if block.notes else [])),
    ]
    return f"{block.name}: {block.formula}", sections


def entries() -> list[tuple[str, str, Callable[[str], tuple[str, list[Section]]]]]:
    """(kind, name, section builder) for everything in the catalog."""
    return [("activation", n, activation_sections) for n in names()] + \
           [("block", n, block_sections) for n in B.block_names()]


def _markdown(title: str, sections: list[Section], image: str) -> str:
    out = [f"# {title}", ""]
    for heading, items in sections:
        out += [f"## {heading}", ""]
        for kind, text in items:
            if kind == "math":
                out += [f"$$\n{text}\n$$", ""]
            elif kind == "image":
                out += [f"![{text}]({image})", ""]
            else:
                out += [f"- {text}", ""]
    return "\n".join(out)


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
          "section{border-top:1px solid #ccc;margin-top:2rem}img{max-width:100%}nav a{margin-right:.6rem}"
          # MathML Core: a math font so that primes, limits and big operators sit where they belong
          "math{font-family:'Latin Modern Math','STIX Two Math','Cambria Math',math;font-size:1.15em}"
          "math[display=block]{display:block math;margin:.3rem 0}"
          ".m{overflow-x:auto;overflow-y:hidden;margin:.5rem 0}"
          ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}"
          ".card{border:1px solid #ddd;border-radius:.4rem;padding:.6rem;overflow:hidden}"
          ".card h3{margin:.2rem 0}.card img{width:100%;height:auto}.card a{color:inherit;text-decoration:none}")


def _head(title: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>")


def _section_html(name: str, sections: list[Section], mathml: dict[str, str], image: str) -> list[str]:
    body = []
    for heading, items in sections:
        body.append(f"<h3>{html.escape(heading)}</h3>")
        for kind, text in items:
            if kind == "math":
                body.append(f'<div class="m">{mathml[text]}</div>')
            elif kind == "image":
                body.append(f'<img alt="{html.escape(name)}" src="{image}">')
            else:
                body.append(f"<p>{html.escape(text)}</p>")
    return body


def _html_page(pages: list[tuple[str, str, list[Section], str]], mathml: dict[str, str]) -> str:
    """Everything on one self-contained page (plots as data URIs)."""
    nav = " ".join(f'<a href="#{html.escape(n)}">{html.escape(n)}</a>' for n, _, _, _ in pages)
    body = [_head("symact catalog"), "<h1>symact catalog</h1>", f"<nav>{nav}</nav>"]
    for name, title, sections, png in pages:
        body.append(f'<section id="{html.escape(name)}"><h2>{html.escape(title)}</h2>')
        body += _section_html(name, sections, mathml, f"data:image/png;base64,{png}")
        body.append("</section>")
    body.append("</body></html>")
    return "\n".join(body)


def _entry_page(kind: str, name: str, title: str, sections: list[Section], mathml: dict[str, str]) -> str:
    body = [_head(f"{name} · symact"), '<nav><a href="index.html">← all activations and blocks</a></nav>',
            f"<h1>{html.escape(title)}</h1>", f"<p><em>{kind}</em></p>"]
    body += _section_html(name, sections, mathml, f"{name}.png")
    body.append("</body></html>")
    return "\n".join(body)


def _index_page(cards: list[tuple[str, str, str]], mathml: dict[str, str], engine: str) -> str:
    """Cards (kind, name, definition LaTeX): a thumbnail plot and the formula each, linking to the page."""
    body = [_head("symact catalog"), "<h1>symact catalog</h1>",
            "<p>Activation functions and gated feed-forward blocks, defined symbolically. Formulas rendered to "
            f"MathML by {html.escape(engine)}; <a href='catalog.html'>everything on one page</a>.</p>"]
    for heading, wanted in (("Activations", "activation"), ("Blocks", "block")):
        body += [f"<h2>{heading}</h2>", '<div class="cards">']
        for kind, name, definition in cards:
            if kind == wanted:
                body.append(f'<div class="card"><a href="{name}.html"><img alt="{html.escape(name)}" '
                            f'src="{name}.png" loading="lazy"><h3>{html.escape(name)}</h3></a>'
                            f'<div class="m">{mathml[definition]}</div></div>')
        body.append("</div>")
    body.append("</body></html>")
    return "\n".join(body)


def build(out_dir: str | Path, *, html_page: bool = True, progress: bool = True, engine: str = "auto",
          properties: bool = True) -> list[Path]:
    """Write ``NAME.md``, ``NAME.png`` and ``NAME.html`` per entry, ``index.md``, ``index.html`` (a card with
    formula and thumbnail per entry) and ``catalog.html`` (all on one self-contained page); returns the paths.

    ``properties``: each activation page gets its property sheet after the series (about 70 s for all 37).

    ``engine``: LaTeX to MathML with ``"latex2mathml"`` (pure Python), ``"katex"`` (Node) or ``"auto"``."""
    from .plot import plot
    from .render import KatexUnavailable, choose_engine, katex_status, render

    chosen = choose_engine(engine) if html_page else None
    if chosen == "katex" and katex_status():
        raise KatexUnavailable(f"the HTML catalog with engine katex needs KaTeX: {katex_status()} "
                               "(or use --engine latex2mathml, or --no-html)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pages = []
    todo = entries()
    for i, (kind, name, builder) in enumerate(todo, 1):
        if progress:
            print(f"[{i}/{len(todo)}] {kind} {name}", file=sys.stderr, flush=True)
        title, sections = builder(name)
        if kind == "activation" and properties:
            after = next(i for i, (heading, _) in enumerate(sections) if heading == "Series at 0") + 1
            sections.insert(after, ("Properties", _property_items(name)))
        png = out / f"{name}.png"
        plot([name], png, derivative=kind == "activation")
        md = out / f"{name}.md"
        md.write_text(_markdown(title, sections, png.name), encoding="utf-8")
        written += [md, png]
        pages.append((name, title, sections, base64.b64encode(png.read_bytes()).decode()))
    index = ["# symact catalog", "", "## Activations", ""] + \
            [f"- [{n}]({n}.md)" for k, n, _ in todo if k == "activation"] + ["", "## Blocks", ""] + \
            [f"- [{n}]({n}.md)" for k, n, _ in todo if k == "block"]
    (out / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    written.append(out / "index.md")
    if chosen is not None:
        formulas = sorted({t for _, _, sections, _ in pages for _, items in sections for k, t in items if k == "math"})
        if progress:
            print(f"rendering {len(formulas)} formulas with {chosen}", file=sys.stderr, flush=True)
        mathml = dict(zip(formulas, render(formulas, engine=chosen), strict=True))
        page = out / "catalog.html"
        page.write_text(_html_page(pages, mathml), encoding="utf-8")
        written.append(page)
        cards = []
        for (kind, name, _), (_, title, sections, _) in zip(todo, pages, strict=True):
            entry = out / f"{name}.html"
            entry.write_text(_entry_page(kind, name, title, sections, mathml), encoding="utf-8")
            written.append(entry)
            cards.append((kind, name, sections[0][1][0][1]))  # the Definition section's first formula
        site = out / "index.html"
        site.write_text(_index_page(cards, mathml, chosen), encoding="utf-8")
        written.append(site)
    return written


def all_formulas() -> list[str]:
    """Every LaTeX string the catalog emits (for render tests), without writing anything."""
    found = []
    for _, name, builder in entries():
        for _, items in builder(name)[1]:
            found += [t for k, t in items if k == "math"]
    return found



__all__ = ["all_formulas", "build", "entries"]

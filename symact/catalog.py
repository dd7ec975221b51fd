"""The catalog: a Markdown page per activation and block (MkDocs/Sphinx) and one self-contained HTML page.

The HTML page embeds its plots as data URIs and its formulas pre-rendered to MathML by KaTeX, so it
needs no network, fonts or scripts to display.
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
from .latex import expression as tex
from .latex import interval_text, latex, lhs
from .registry import get, names
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
    from .reference import reference_latex

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
        ("Reference implementation (latexify-py)", [("math", reference_latex(name))]),
        ("Plot", [("image", name)]),
        ("References", [("text", r) for r in act.references] + ([("text", act.notes)] if act.notes else [])),
    ]
    return f"{act.name}: {act.formula}", sections


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


def _html_page(pages: list[tuple[str, str, list[Section], str]], mathml: dict[str, str]) -> str:
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
             "section{border-top:1px solid #ccc;margin-top:2rem}math{font-size:1.15em}"
             "img{max-width:100%}nav a{margin-right:.6rem}.m{overflow-x:auto;overflow-y:hidden;margin:.5rem 0}")
    nav = " ".join(f'<a href="#{html.escape(n)}">{html.escape(n)}</a>' for n, _, _, _ in pages)
    body = [f"<!doctype html><html><head><meta charset='utf-8'><title>symact catalog</title><style>{style}</style>",
            "</head><body><h1>symact catalog</h1>", f"<nav>{nav}</nav>"]
    for name, title, sections, png in pages:
        body.append(f'<section id="{html.escape(name)}"><h2>{html.escape(title)}</h2>')
        for heading, items in sections:
            body.append(f"<h3>{html.escape(heading)}</h3>")
            for kind, text in items:
                if kind == "math":
                    body.append(f'<div class="m">{mathml[text]}</div>')
                elif kind == "image":
                    body.append(f'<img alt="{html.escape(name)}" src="data:image/png;base64,{png}">')
                else:
                    body.append(f"<p>{html.escape(text)}</p>")
        body.append("</section>")
    body.append("</body></html>")
    return "\n".join(body)


def build(out_dir: str | Path, *, html_page: bool = True, progress: bool = True) -> list[Path]:
    """Write ``NAME.md`` + ``NAME.png`` per entry, ``index.md``, and ``catalog.html``; returns the paths."""
    from .plot import plot
    from .render import katex_status, render

    if html_page and katex_status():
        from .render import KatexUnavailable

        raise KatexUnavailable(f"the HTML catalog pre-renders formulas with KaTeX: {katex_status()} "
                               "(or pass --no-html)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pages = []
    todo = entries()
    for i, (kind, name, builder) in enumerate(todo, 1):
        if progress:
            print(f"[{i}/{len(todo)}] {kind} {name}", file=sys.stderr, flush=True)
        title, sections = builder(name)
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
    if html_page:
        formulas = sorted({t for _, _, sections, _ in pages for _, items in sections for k, t in items if k == "math"})
        if progress:
            print(f"rendering {len(formulas)} formulas with KaTeX", file=sys.stderr, flush=True)
        mathml = dict(zip(formulas, render(formulas), strict=True))
        page = out / "catalog.html"
        page.write_text(_html_page(pages, mathml), encoding="utf-8")
        written.append(page)
    return written


def all_formulas() -> list[str]:
    """Every LaTeX string the catalog emits (for render tests), without writing anything."""
    found = []
    for _, name, builder in entries():
        for _, items in builder(name)[1]:
            found += [t for k, t in items if k == "math"]
    return found



__all__ = ["all_formulas", "build", "entries"]

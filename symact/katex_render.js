// Render LaTeX with KaTeX in strict mode. stdin: JSON [{tex, display}]; stdout: JSON [{ok, html|error}].
// Used by symact.render (catalog pre-rendering) and by the tests that check every formula we emit.
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  const out = items.map(({ tex, display }) => {
    try {
      const html = katex.renderToString(tex, {
        displayMode: display, throwOnError: true, strict: "error", output: "mathml",
      });
      return { ok: true, html };
    } catch (e) {
      return { ok: false, error: String(e && e.message ? e.message : e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});

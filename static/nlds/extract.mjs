// Takes the rules of the chosen NL Design System components out of the
// bundle of @utrecht/component-library-css, so that vangnet ships only the
// CSS it uses. Plain Node, no dependencies; run by hand when updating (see
// README.md in this folder):
//
//   node static/nlds/extract.mjs PACKAGE/dist/index.css > static/nlds/utrecht-components.css
//
// A selector is kept when every `utrecht-…` block it names is in
// COMPONENTS below; a rule keeps its kept selectors, at-rules (@media,
// @supports) keep their kept rules. Comments go, whitespace is collapsed.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The components vangnet's templates use (BEM block names without `utrecht-`). */
export const COMPONENTS = [
  "alert",
  "button",
  "button-group",
  "checkbox",
  "form",
  "data-list",
  "form-field",
  "form-field-description",
  "form-field-error-message",
  "form-fieldset",
  "form-label",
  "heading-1",
  "heading-2",
  "heading-3",
  "heading-4",
  "link",
  "page-footer",
  "page-header",
  "paragraph",
  "select",
  "skip-link",
  "status-badge",
  "table",
  "textarea",
  "textbox",
  "unordered-list",
];

const keep = new Set(COMPONENTS.map((c) => `utrecht-${c}`));

/**
 * Selectors left out although their component is kept: classes that only
 * imitate a state for the component library's own documentation (`--hover`
 * for `:hover`, `--invalid` for `[aria-invalid=true]`, …) and appearances
 * vangnet does not use. The real pseudo-classes stay.
 */
const DROP = new RegExp(
  [
    // imitated states (the real :hover, :focus, :disabled, [aria-invalid] stay)
    "--(hover|focus|focus-visible|active|pressed|busy|disabled|checked|invalid|indeterminate|read-only|required)(?![a-z-])",
    // appearances and variants vangnet does not use
    "--(subtle|ready|warning|custom|placeholder-ltr|placeholder-rtl|numeric|password|url|rtl|ltr|valid|inactive)(?![a-z-])",
    "--[a-z-]+-size(?![a-z-])", // textbox widths for Dutch address parts, phone numbers, IBANs
    "__placeholder",
    "\\[(pattern|inputMode|type=(url|tel|number|password))", // input kinds vangnet has no use for
    // table features: sticky headers, selection, zebra rows, fixed layout, captions under figures
    "--(sticky|sticky-block|sticky-inline|selected|alternate-odd|alternate-even|alternate-row-color|row-hover|row-focus-within|fixed|oneline|overflow-inline|hidden)(?![a-z-])",
    "__(footer|figcaption|header-cell-button|data--truncate|container)",
    // the variants that style plain HTML inside rich text: vangnet writes the classes
    "--html-(table|content)",
    // vangnet's forms show no disabled fields
    "--html-(input|textarea|select):disabled",
  ].join("|"),
);

/** Splits CSS text into top-level statements: `{ prelude, body }` or `{ prelude }`. */
function statements(css) {
  const out = [];
  let i = 0;
  while (i < css.length) {
    let start = i;
    while (i < css.length && css[i] !== "{" && css[i] !== ";") i++;
    const prelude = css.slice(start, i).trim();
    if (i >= css.length) break;
    if (css[i] === ";") {
      out.push({ prelude });
      i++;
      continue;
    }
    let depth = 1;
    const bodyStart = ++i;
    while (i < css.length && depth > 0) {
      if (css[i] === "{") depth++;
      else if (css[i] === "}") depth--;
      i++;
    }
    out.push({ prelude, body: css.slice(bodyStart, i - 1) });
  }
  return out;
}

/** Splits a selector list at top-level commas (not inside `:is(…)`). */
function selectors(list) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i] === "(") depth++;
    else if (list[i] === ")") depth--;
    else if (list[i] === "," && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(list.slice(start).trim());
  return out;
}

function wanted(selector) {
  const blocks = [...selector.matchAll(/\.(utrecht-[a-z0-9-]+?)(?=__|--|[^a-z0-9-]|$)/g)].map((m) => m[1]);
  // `:not(.x--disabled)` only narrows a rule: it does not make it one to drop.
  const positive = selector.replace(/:not\([^)]*\)/g, "");
  return blocks.length > 0 && blocks.every((b) => keep.has(b)) && !DROP.test(positive);
}

/** Declarations without needless whitespace. */
const tidy = (body) =>
  body
    .replace(/\s+/g, " ")
    .replace(/\s*([{};:,>()])\s*/g, "$1")
    .replace(/\)(?=[\w#.+*\/-])/g, ") ") // `calc(a) + b`, `var(x) solid`: keep the space after `)`
    .replace(/;$/, "")
    .trim();

/** Selectors and media queries: only runs of whitespace collapse (a space can matter there). */
const tidyPrelude = (prelude) => prelude.replace(/\s+/g, " ").replace(/\s*,\s*/g, ",").trim();

function filter(css) {
  let out = "";
  for (const { prelude, body } of statements(css)) {
    if (body === undefined) continue; // @charset
    if (prelude.startsWith("@keyframes")) continue;
    if (prelude.startsWith("@")) {
      const inner = filter(body);
      if (inner) out += `${tidyPrelude(prelude)}{\n${inner}}\n`;
      continue;
    }
    const kept = selectors(prelude).map(tidyPrelude).filter(wanted);
    if (kept.length) out += `${kept.join(",")}{${tidy(body)}}\n`;
  }
  return out;
}

const file = process.argv[2];
const pkg = JSON.parse(readFileSync(join(dirname(file), "..", "package.json"), "utf8"));
const raw = readFileSync(file, "utf8");
// The copyright lines of every licence comment in the bundle, once each.
const copyrights = [...new Set(raw.match(/Copyright \(c\) [^\n*]+/g) ?? [])].map((c) => c.trim());
const source = raw.replace(/\/\*[\s\S]*?\*\//g, "");
process.stdout.write(
  `/*! @license ${pkg.license}: ${pkg.name} ${pkg.version} (NL Design System), the rules of\n` +
    ` * ${COMPONENTS.join(", ")}.\n` +
    ` * Taken by static/nlds/extract.mjs; licence text in static/nlds/LICENSES/EUPL-1.2.txt.\n` +
    copyrights.map((c) => ` * ${c}\n`).join("") +
    " */\n",
);
process.stdout.write(filter(source));

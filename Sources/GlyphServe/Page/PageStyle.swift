/// The page's style: dark ink on warm paper, a serif for what matters (the verdict), a
/// sans-serif for the rest, on a 1.25 type scale and an 8 px spacing grid. Only fonts the
/// reader's system already has.
enum PageStyle {
    static let css = #"""
:root {
  --paper: #f5f1e8; --sheet: #fffdf8; --ink: #1f1c18; --ink-soft: #4a453d; --muted: #7a7368;
  --rule: #e2dccf; --rule-strong: #cfc6b4; --same: #2e6a4c; --same-wash: #e6f0e8;
  --different: #9c3f2a; --different-wash: #f6e7e1; --focus: #8a6d2f;
  --serif: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", "URW Palladio L", "P052", Georgia, "DejaVu Serif", serif;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", sans-serif;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --s1: 4px; --s2: 8px; --s3: 16px; --s4: 24px; --s5: 32px; --s6: 48px;
  --t-small: 0.8rem; --t-base: 1rem; --t-md: 1.25rem; --t-lg: 1.563rem; --t-xl: 1.953rem; --t-hero: 3.052rem;
  --radius: 10px; --shadow: 0 1px 2px rgba(60, 45, 20, .06), 0 6px 24px rgba(60, 45, 20, .07);
}
* { box-sizing: border-box; }
html { font-size: 16px; -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--paper); color: var(--ink); font: 400 var(--t-base)/1.5 var(--sans);
  min-height: 100vh; display: flex; flex-direction: column;
}
h1, h2, p { margin: 0; }
button, input, label { font: inherit; color: inherit; }
code { font-family: var(--mono); font-size: .9em; background: var(--sheet); border: 1px solid var(--rule); border-radius: 4px; padding: 0 4px; }

.masthead {
  display: flex; align-items: flex-end; justify-content: space-between; gap: var(--s4);
  max-width: 1240px; width: 100%; margin: 0 auto; padding: var(--s5) var(--s4) var(--s4);
}
.brand h1 { font: 600 var(--t-xl)/1.1 var(--serif); letter-spacing: -.01em; }
.tagline { color: var(--ink-soft); margin-top: var(--s1); font-size: var(--t-md); font-family: var(--serif); font-style: italic; }
.modes { display: inline-flex; background: var(--sheet); border: 1px solid var(--rule); border-radius: 999px; padding: 3px; }
.modes button {
  border: 0; background: transparent; padding: var(--s2) var(--s3); border-radius: 999px; cursor: pointer;
  color: var(--ink-soft); font-weight: 500;
}
.modes button[aria-selected="true"] { background: var(--ink); color: var(--sheet); }
.modes button:focus-visible, .tools button:focus-visible, .dropzone:focus-within { outline: 2px solid var(--focus); outline-offset: 2px; }

main { flex: 1; max-width: 1240px; width: 100%; margin: 0 auto; padding: 0 var(--s4) var(--s5); }
.card { background: var(--sheet); border: 1px solid var(--rule); border-radius: var(--radius); box-shadow: var(--shadow); }
h2 { font: 600 var(--t-small)/1.2 var(--sans); letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }

.workbench { display: grid; grid-template-columns: 420px minmax(0, 1fr); gap: var(--s4); align-items: start; }
.pad { padding: var(--s3); }
.pad-head { display: flex; justify-content: space-between; align-items: baseline; gap: var(--s2); margin-bottom: var(--s3); white-space: nowrap; }
.hint { color: var(--muted); font-size: var(--t-small); text-align: right; }
.sheet { position: relative; aspect-ratio: 1; border-radius: 6px; overflow: hidden; border: 1px solid var(--rule-strong); background: #fff; }
.sheet canvas { display: block; width: 100%; height: 100%; touch-action: none; cursor: crosshair; }
.guides {
  position: absolute; inset: 0; pointer-events: none;
  background:
    linear-gradient(var(--rule), var(--rule)) 50% 0 / 1px 100% no-repeat,
    linear-gradient(var(--rule), var(--rule)) 0 50% / 100% 1px no-repeat;
  opacity: .55; mix-blend-mode: multiply;
}
.sheet.inked .guides { opacity: .25; }
.drop-veil {
  position: absolute; inset: 0; display: none; align-items: center; justify-content: center;
  background: rgba(245, 241, 232, .92); border: 2px dashed var(--ink-soft); border-radius: 6px;
  font: italic var(--t-md) var(--serif); color: var(--ink-soft);
}
.sheet.dragging .drop-veil { display: flex; }
.tools { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s2); margin-top: var(--s3); }
.tools .width { margin-right: auto; }
.tools button {
  border: 1px solid var(--rule-strong); background: var(--sheet); border-radius: 6px; padding: 6px 12px;
  cursor: pointer; font-size: .9rem; color: var(--ink);
}
.tools button:hover { background: var(--paper); }
.dropzone {
  position: relative; display: flex; flex-direction: column; align-items: center; gap: 2px; margin-top: var(--s3);
  padding: var(--s3); border: 1.5px dashed var(--rule-strong); border-radius: 8px; cursor: pointer; text-align: center;
  transition: background .15s ease, border-color .15s ease;
}
.dropzone:hover, .dropzone.dragging { background: var(--paper); border-color: var(--ink-soft); }
.dropzone input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.dropzone-main { font-family: var(--serif); font-size: var(--t-base); color: var(--ink); }
.dropzone-sub { font-size: var(--t-small); color: var(--muted); }
.dropzone-sub u { text-decoration-color: var(--rule-strong); text-underline-offset: 2px; }
.width { display: inline-flex; align-items: center; gap: var(--s2); color: var(--ink-soft); font-size: .9rem; margin-right: var(--s2); }
.width input { width: 96px; accent-color: var(--ink); }
.width output { font-family: var(--mono); font-size: var(--t-small); min-width: 2ch; color: var(--muted); }

.verdict { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: var(--s4); padding: var(--s4); align-items: center; min-height: 208px; }
.best-thumb {
  width: 160px; height: 160px; border-radius: 8px; border: 1px solid var(--rule); background: #fff;
  display: flex; align-items: center; justify-content: center; overflow: hidden;
}
.best-thumb img { width: 100%; height: 100%; object-fit: contain; display: none; }
.verdict[data-state="same"] .best-thumb img, .verdict[data-state="different"] .best-thumb img { display: block; }
.verdict[data-state="empty"] .best-thumb { background: repeating-linear-gradient(135deg, #fff 0 8px, var(--paper) 8px 9px); }
.verdict-kicker { font-size: var(--t-small); letter-spacing: .08em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.verdict-word { font: 600 var(--t-hero)/1.05 var(--serif); letter-spacing: -.02em; margin: var(--s1) 0 var(--s2); }
.verdict-detail { color: var(--ink-soft); font-size: var(--t-md); font-family: var(--serif); }
.verdict[data-state="same"] { background: linear-gradient(var(--same-wash), var(--sheet) 70%); border-color: #c7dccd; }
.verdict[data-state="same"] .verdict-word { color: var(--same); }
.verdict[data-state="different"] { background: linear-gradient(var(--different-wash), var(--sheet) 70%); border-color: #e6cbc1; }
.verdict[data-state="different"] .verdict-word { color: var(--different); }
.verdict[data-state="error"] .verdict-word { color: var(--different); font-size: var(--t-xl); }
.meter { position: relative; height: 6px; border-radius: 3px; background: var(--rule); margin-top: var(--s3); max-width: 420px; }
.meter-fill { position: absolute; left: 0; top: 0; bottom: 0; width: 0; border-radius: 3px; background: var(--ink-soft); transition: width .25s ease; }
.verdict[data-state="same"] .meter-fill { background: var(--same); }
.verdict[data-state="different"] .meter-fill { background: var(--different); }
.meter-mark { position: absolute; left: 50%; top: -4px; bottom: -4px; width: 2px; background: var(--ink); border-radius: 1px; }
.meter-legend { margin-top: var(--s2); font-size: var(--t-small); color: var(--muted); font-variant-numeric: tabular-nums; }
.verdict[data-state="empty"] .meter, .verdict[data-state="empty"] .meter-legend { visibility: hidden; }

.neighbours-head { display: flex; align-items: baseline; justify-content: space-between; margin: var(--s4) 0 var(--s2); }
.status { font-size: var(--t-small); color: var(--muted); }
.neighbours { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: var(--s3); }
.neighbour { background: var(--sheet); border: 1px solid var(--rule); border-radius: 8px; padding: var(--s2); display: flex; flex-direction: column; gap: 6px; }
.neighbour img { width: 100%; aspect-ratio: 1; object-fit: contain; background: #fff; border-radius: 4px; border: 1px solid var(--rule); }
.neighbour .who { display: flex; flex-direction: column; line-height: 1.25; min-width: 0; }
.neighbour .alphabet { font-size: var(--t-small); color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.neighbour .character { font-family: var(--serif); font-size: var(--t-base); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.neighbour .numbers { display: flex; gap: 4px; justify-content: space-between; align-items: center; font-size: var(--t-small); font-variant-numeric: tabular-nums; color: var(--ink-soft); }
.neighbour .rank { color: var(--muted); }
.neighbour.same { border-color: #b9d3c1; }
.neighbour.same .tag { color: var(--same); font-weight: 600; }
.neighbour .tag { font-size: .72rem; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); }
.neighbours:empty::before {
  content: "Nothing yet: the sheet is blank."; grid-column: 1 / -1; color: var(--muted); font-family: var(--serif); font-style: italic;
  padding: var(--s4); border: 1px dashed var(--rule-strong); border-radius: 8px; text-align: center;
}

.compare { display: grid; grid-template-columns: minmax(0, 1fr) 320px minmax(0, 1fr); gap: var(--s4); align-items: center; }
.compare-verdict { display: block; text-align: center; }
.compare-verdict .meter { margin-left: auto; margin-right: auto; }

.colophon { max-width: 1240px; width: 100%; margin: 0 auto; padding: var(--s3) var(--s4) var(--s5); color: var(--muted); font-size: var(--t-small); border-top: 1px solid var(--rule); display: flex; flex-wrap: wrap; gap: var(--s2) var(--s4); justify-content: space-between; }

@media (max-width: 900px) {
  .workbench, .compare { grid-template-columns: 1fr; }
  .compare-verdict { order: 3; }
}
@media (max-width: 560px) {
  :root { --t-hero: 2.441rem; }
  .masthead { flex-direction: column; align-items: flex-start; padding: var(--s4) var(--s3) var(--s3); gap: var(--s3); }
  .modes { align-self: stretch; } .modes button { flex: 1; }
  main { padding: 0 var(--s3) var(--s4); }
  .workbench { gap: var(--s3); }
  .verdict { grid-template-columns: 96px minmax(0, 1fr); gap: var(--s3); padding: var(--s3); min-height: 0; }
  .best-thumb { width: 96px; height: 96px; }
  .verdict-detail { font-size: var(--t-base); }
  .neighbours { grid-template-columns: repeat(3, minmax(0, 1fr)); gap: var(--s2); }
  .neighbour { padding: 6px; }
  .neighbour .alphabet { font-size: .7rem; }
  .neighbour .character { font-size: .85rem; }
  .width input { width: 72px; }
  .hint { display: none; }
}
"""#
}

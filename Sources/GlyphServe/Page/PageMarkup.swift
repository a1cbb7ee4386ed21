/// The page's markup. Two modes share one layout: search (one pad, its neighbours and the
/// verdict against the best match) and compare (two pads and their verdict).
enum PageMarkup {
    static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GlyphSim — which character is this?</title>
<link rel="icon" href="data:,">
<style>/*STYLE*/</style>
</head>
<body>
<header class="masthead">
  <div class="brand">
    <h1>GlyphSim</h1>
    <p class="tagline">Draw a glyph. See the characters it is closest to.</p>
  </div>
  <nav class="modes" role="tablist" aria-label="Mode">
    <button role="tab" id="tab-search" aria-selected="true" data-mode="search">Search</button>
    <button role="tab" id="tab-compare" aria-selected="false" data-mode="compare">Compare two</button>
  </nav>
</header>

<main>
  <section id="mode-search" class="mode" aria-labelledby="tab-search">
    <div class="workbench">
      <div class="pad card" data-pad="query">
        <div class="pad-head">
          <h2>Your glyph</h2>
          <span class="hint">mouse, pen or finger</span>
        </div>
        <div class="sheet">
          <canvas id="draw-canvas" width="400" height="400" aria-label="Drawing area"></canvas>
          <div class="guides" aria-hidden="true"></div>
          <div class="drop-veil" aria-hidden="true">Drop the image to use it</div>
        </div>
        <div class="tools">
          <label class="width">Stroke <input type="range" min="3" max="28" value="11" data-role="width"><output data-role="width-value">11</output></label>
          <button type="button" data-role="undo" title="Undo the last stroke">Undo</button>
          <button type="button" data-role="clear" title="Clear the sheet">Clear</button>
        </div>
        <label class="dropzone">
          <input type="file" accept="image/png,image/jpeg" data-role="file">
          <span class="dropzone-main">Drop a scan or photo here</span>
          <span class="dropzone-sub">or <u>choose an image file</u> (PNG or JPEG)</span>
        </label>
      </div>

      <div class="answer">
        <div id="verdict" class="verdict card" data-state="empty" aria-live="polite">
          <div class="verdict-best">
            <div class="best-thumb"><img id="best-image" alt=""></div>
          </div>
          <div class="verdict-text">
            <p class="verdict-kicker" id="verdict-kicker">Waiting for a glyph</p>
            <p class="verdict-word" id="verdict-word">Draw a character</p>
            <p class="verdict-detail" id="verdict-detail">The nearest known characters appear as you draw.</p>
            <div class="meter" aria-hidden="true"><div class="meter-fill" id="verdict-meter"></div><div class="meter-mark"></div></div>
            <p class="meter-legend" id="verdict-legend"></p>
          </div>
        </div>
        <div class="neighbours-head">
          <h2>Nearest characters</h2>
          <span class="status" id="search-status"></span>
        </div>
        <ol id="neighbours" class="neighbours"></ol>
      </div>
    </div>
  </section>

  <section id="mode-compare" class="mode" aria-labelledby="tab-compare" hidden>
    <div class="compare">
      <div class="pad card" data-pad="a">
        <div class="pad-head"><h2>Glyph A</h2><span class="hint">draw or drop</span></div>
        <div class="sheet">
          <canvas width="400" height="400" aria-label="Drawing area A"></canvas>
          <div class="guides" aria-hidden="true"></div>
          <div class="drop-veil" aria-hidden="true">Drop the image to use it</div>
        </div>
        <div class="tools">
          <label class="width">Stroke <input type="range" min="3" max="28" value="11" data-role="width"><output data-role="width-value">11</output></label>
          <button type="button" data-role="undo">Undo</button>
          <button type="button" data-role="clear">Clear</button>
        </div>
        <label class="dropzone">
          <input type="file" accept="image/png,image/jpeg" data-role="file">
          <span class="dropzone-main">Drop an image here</span>
          <span class="dropzone-sub">or <u>choose a file</u></span>
        </label>
      </div>
      <div id="compare-verdict" class="verdict card compare-verdict" data-state="empty" aria-live="polite">
        <p class="verdict-kicker" id="compare-kicker">Two glyphs</p>
        <p class="verdict-word" id="compare-word">Draw both</p>
        <p class="verdict-detail" id="compare-detail">The model decides whether they show the same character.</p>
        <div class="meter" aria-hidden="true"><div class="meter-fill" id="compare-meter"></div><div class="meter-mark"></div></div>
        <p class="meter-legend" id="compare-legend"></p>
      </div>
      <div class="pad card" data-pad="b">
        <div class="pad-head"><h2>Glyph B</h2><span class="hint">draw or drop</span></div>
        <div class="sheet">
          <canvas width="400" height="400" aria-label="Drawing area B"></canvas>
          <div class="guides" aria-hidden="true"></div>
          <div class="drop-veil" aria-hidden="true">Drop the image to use it</div>
        </div>
        <div class="tools">
          <label class="width">Stroke <input type="range" min="3" max="28" value="11" data-role="width"><output data-role="width-value">11</output></label>
          <button type="button" data-role="undo">Undo</button>
          <button type="button" data-role="clear">Clear</button>
        </div>
        <label class="dropzone">
          <input type="file" accept="image/png,image/jpeg" data-role="file">
          <span class="dropzone-main">Drop an image here</span>
          <span class="dropzone-sub">or <u>choose a file</u></span>
        </label>
      </div>
    </div>
  </section>
</main>

<footer class="colophon">
  <p id="model-line">Loading the model…</p>
  <p>A JSON API answers scripts at <code>/v1</code>: search, compare, embed, model, health.</p>
</footer>
<script>/*SCRIPT*/</script>
</body>
</html>
"""#
}

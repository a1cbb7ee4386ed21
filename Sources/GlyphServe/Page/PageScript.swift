/// The page's script: drawing pads (pointer events, so mouse, pen and touch alike), and the
/// calls to the API as the user draws. Each pad is a white sheet with dark strokes, sent as a
/// PNG, which the server reads as dark ink on light paper.
enum PageScript {
    static let js = #"""
(() => {
  'use strict';
  const $ = (selector, root = document) => root.querySelector(selector);
  const fmt = (x) => (x == null ? '–' : Number(x).toFixed(3));
  const phone = window.matchMedia('(max-width: 560px)');
  const neighbourCount = () => (phone.matches ? 9 : 12);

  /** Omniglot labels read "Alphabet_(variant)/character07"; a user's are a class name. */
  function describe(label) {
    const slash = label.lastIndexOf('/');
    if (slash < 0) return { alphabet: '', character: label };
    const alphabet = label.slice(0, slash).replace(/_/g, ' ');
    const rest = label.slice(slash + 1);
    const m = /^character0*(\d+)$/.exec(rest);
    return { alphabet, character: m ? 'character ' + m[1] : rest.replace(/_/g, ' ') };
  }

  function debounce(fn, wait) {
    let timer = 0;
    const run = (delay = wait) => { clearTimeout(timer); timer = setTimeout(fn, delay); };
    return run;
  }

  /** A sheet to draw on: strokes kept as points so undo can redraw without the last one. */
  class Pad {
    constructor(root, onChange) {
      this.root = root;
      this.sheet = $('.sheet', root);
      this.canvas = $('canvas', root);
      this.ctx = this.canvas.getContext('2d');
      this.strokes = [];
      this.background = null;
      this.current = null;
      this.onChange = onChange;
      this.widthInput = $('[data-role="width"]', root);
      this.widthOutput = $('[data-role="width-value"]', root);
      this.widthInput.addEventListener('input', () => { this.widthOutput.textContent = this.widthInput.value; });
      $('[data-role="undo"]', root).addEventListener('click', () => this.undo());
      $('[data-role="clear"]', root).addEventListener('click', () => this.clear());
      $('[data-role="file"]', root).addEventListener('change', (e) => {
        if (e.target.files && e.target.files[0]) this.load(e.target.files[0]);
        e.target.value = '';
      });
      this.listen();
      this.redraw();
    }

    isEmpty() { return this.strokes.length === 0 && !this.background; }

    point(e) {
      const r = this.canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * this.canvas.width / r.width, y: (e.clientY - r.top) * this.canvas.height / r.height };
    }

    listen() {
      const c = this.canvas;
      c.addEventListener('pointerdown', (e) => {
        if (e.pointerType === 'mouse' && e.button !== 0) return;
        e.preventDefault();
        c.setPointerCapture(e.pointerId);
        this.current = { width: Number(this.widthInput.value), points: [this.point(e)] };
        this.strokes.push(this.current);
        this.redraw();
        this.onChange('drawing');
      });
      c.addEventListener('pointermove', (e) => {
        if (!this.current) return;
        const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
        for (const ev of (events.length ? events : [e])) this.current.points.push(this.point(ev));
        this.redraw();
        this.onChange('drawing');
      });
      const end = () => {
        if (!this.current) return;
        this.current = null;
        this.onChange('stroke');
      };
      c.addEventListener('pointerup', end);
      c.addEventListener('pointercancel', end);
      c.addEventListener('lostpointercapture', end);

      for (const target of [this.sheet, $('.dropzone', this.root)]) {
        ['dragenter', 'dragover'].forEach((type) => target.addEventListener(type, (e) => {
          e.preventDefault(); target.classList.add('dragging');
        }));
        ['dragleave', 'drop'].forEach((type) => target.addEventListener(type, (e) => {
          e.preventDefault(); target.classList.remove('dragging');
        }));
        target.addEventListener('drop', (e) => {
          const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
          if (file) this.load(file);
        });
      }
    }

    /** A scan or photo becomes the sheet's background, fitted and centred; strokes may go on top. */
    load(file) {
      if (!/^image\//.test(file.type)) { this.onChange('error', 'That file is not an image.'); return; }
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => { URL.revokeObjectURL(url); this.background = img; this.strokes = []; this.redraw(); this.onChange('stroke'); };
      img.onerror = () => { URL.revokeObjectURL(url); this.onChange('error', 'This image cannot be read.'); };
      img.src = url;
    }

    undo() { if (this.strokes.length) { this.strokes.pop(); } else { this.background = null; } this.redraw(); this.onChange('stroke'); }
    clear() { this.strokes = []; this.background = null; this.redraw(); this.onChange('stroke'); }

    redraw() {
      const { ctx, canvas } = this;
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (this.background) {
        const b = this.background, s = Math.min(canvas.width / b.naturalWidth, canvas.height / b.naturalHeight);
        const w = b.naturalWidth * s, h = b.naturalHeight * s;
        ctx.drawImage(b, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
      }
      ctx.strokeStyle = ctx.fillStyle = '#1f1c18';
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      for (const stroke of this.strokes) this.drawStroke(stroke);
      this.sheet.classList.toggle('inked', !this.isEmpty());
    }

    drawStroke({ width, points }) {
      const ctx = this.ctx;
      if (points.length === 1) {
        ctx.beginPath(); ctx.arc(points[0].x, points[0].y, width / 2, 0, Math.PI * 2); ctx.fill();
        return;
      }
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(points[0].x, points[0].y);
      for (let i = 1; i < points.length - 1; i++) {
        const mx = (points[i].x + points[i + 1].x) / 2, my = (points[i].y + points[i + 1].y) / 2;
        ctx.quadraticCurveTo(points[i].x, points[i].y, mx, my);
      }
      const last = points[points.length - 1];
      ctx.lineTo(last.x, last.y);
      ctx.stroke();
    }

    blob() { return new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png')); }
  }

  /** Sets a verdict card: state (empty, same, different, neutral, error) and its texts. */
  function setVerdict(prefix, card, { state, kicker, word, detail, distance, threshold, similarity }) {
    card.dataset.state = state;
    $('#' + prefix + '-kicker').textContent = kicker;
    $('#' + prefix + '-word').textContent = word;
    $('#' + prefix + '-detail').textContent = detail;
    const meter = $('#' + prefix + '-meter');
    const legend = $('#' + prefix + '-legend');
    if (distance == null) { meter.style.width = '0'; legend.textContent = ''; return; }
    const scale = threshold ? 2 * threshold : 2;
    meter.style.width = Math.min(100, 100 * distance / scale) + '%';
    legend.textContent = 'distance ' + fmt(distance) + (threshold ? '  ·  threshold ' + fmt(threshold) : '') + '  ·  similarity ' + fmt(similarity);
  }

  async function post(url, body, headers) {
    const response = await fetch(url, { method: 'POST', body, headers });
    let json = null;
    try { json = await response.json(); } catch (_) { json = { error: 'The server answered ' + response.status + '.' }; }
    if (!response.ok) throw new Error(json.error || ('The server answered ' + response.status + '.'));
    return json;
  }

  // ---- Search mode ----
  const verdict = $('#verdict');
  const list = $('#neighbours');
  const status = $('#search-status');
  let searchSeq = 0;

  function showEmpty() {
    searchSeq++;
    list.dataset.busy = '0';
    list.replaceChildren();
    status.textContent = '';
    $('#best-image').removeAttribute('src');
    setVerdict('verdict', verdict, { state: 'empty', kicker: 'Waiting for a glyph', word: 'Draw a character',
      detail: 'The nearest known characters appear as you draw.' });
  }

  async function search() {
    if (queryPad.isEmpty()) { showEmpty(); return; }
    const seq = ++searchSeq;
    status.textContent = 'Searching…';
    const started = performance.now();
    try {
      const result = await post('/v1/search?k=' + neighbourCount(), await queryPad.blob(), { 'Content-Type': 'image/png' });
      if (seq !== searchSeq) return;
      render(result, performance.now() - started);
      list.dataset.busy = '0';
    } catch (error) {
      if (seq !== searchSeq) return;
      list.dataset.busy = '0';
      status.textContent = '';
      setVerdict('verdict', verdict, { state: 'error', kicker: 'Something went wrong', word: 'No answer', detail: error.message });
    }
  }

  function render(result, ms) {
    const best = result.results[0];
    if (!best) { showEmpty(); return; }
    const who = describe(best.label);
    const name = who.alphabet ? who.alphabet + ' · ' + who.character : who.character;
    $('#best-image').src = best.image_url;
    $('#best-image').alt = name;
    const common = { distance: best.distance, threshold: result.threshold, similarity: best.similarity };
    if (best.is_same === true) {
      setVerdict('verdict', verdict, { state: 'same', kicker: 'Best match', word: 'Same character', detail: 'as ' + name, ...common });
    } else if (best.is_same === false) {
      setVerdict('verdict', verdict, { state: 'different', kicker: 'Best match is too far', word: 'Different character',
        detail: 'The nearest, ' + name + ', is beyond the model’s threshold.', ...common });
    } else {
      setVerdict('verdict', verdict, { state: 'neutral', kicker: 'Nearest', word: name,
        detail: 'This model has no threshold, so it gives no verdict.', ...common });
    }
    list.replaceChildren(...result.results.map((r) => {
      const d = describe(r.label);
      const item = document.createElement('li');
      item.className = 'neighbour' + (r.is_same ? ' same' : '');
      item.dataset.rank = r.rank;
      const img = document.createElement('img');
      img.src = r.image_url; img.alt = r.label; img.width = 105; img.height = 105;
      const whoBox = document.createElement('div'); whoBox.className = 'who';
      const a = document.createElement('span'); a.className = 'alphabet'; a.textContent = d.alphabet || '\u00a0';
      const c = document.createElement('span'); c.className = 'character'; c.textContent = d.character; c.title = r.file;
      whoBox.append(a, c);
      const numbers = document.createElement('div'); numbers.className = 'numbers';
      const rank = document.createElement('span'); rank.className = 'rank'; rank.textContent = '#' + r.rank;
      const tag = document.createElement('span'); tag.className = 'tag'; tag.textContent = r.is_same ? 'same' : '';
      const dist = document.createElement('span'); dist.className = 'distance'; dist.textContent = fmt(r.distance);
      numbers.append(rank, tag, dist);
      item.append(img, whoBox, numbers);
      return item;
    }));
    list.dataset.searches = String(Number(list.dataset.searches || 0) + 1);  // answers shown so far (for tests)
    status.textContent = result.results.length + ' of ' + result.collection_size.toLocaleString('en') + ' · ' + Math.round(ms) + ' ms';
  }

  // data-busy is 1 from a change of the sheet until its answer is shown (the browser test waits on it).
  const searchLater = debounce(search, 220);
  const searchSoon = (delay) => { list.dataset.busy = '1'; searchLater(delay); };
  const queryPad = new Pad($('[data-pad="query"]'), (kind, message) => {
    if (kind === 'error') { setVerdict('verdict', verdict, { state: 'error', kicker: 'Cannot use that file', word: 'Not an image', detail: message }); return; }
    searchSoon(kind === 'stroke' ? 30 : 220);
  });

  // ---- Compare mode ----
  const compareCard = $('#compare-verdict');
  let compareSeq = 0;
  async function compare() {
    const seq = ++compareSeq;
    const done = () => { if (seq === compareSeq) compareCard.dataset.busy = '0'; };
    if (padA.isEmpty() || padB.isEmpty()) {
      done();
      setVerdict('compare', compareCard, { state: 'empty', kicker: 'Two glyphs', word: padA.isEmpty() && padB.isEmpty() ? 'Draw both' : 'Draw the other',
        detail: 'The model decides whether they show the same character.' });
      return;
    }
    const form = new FormData();
    form.append('a', await padA.blob(), 'a.png');
    form.append('b', await padB.blob(), 'b.png');
    try {
      const r = await post('/v1/compare', form);
      if (seq !== compareSeq) return;
      done();
      const common = { distance: r.distance, threshold: r.threshold, similarity: r.similarity };
      if (r.verdict === 'same') setVerdict('compare', compareCard, { state: 'same', kicker: 'Verdict', word: 'Same character', detail: 'A and B are within the model’s threshold.', ...common });
      else if (r.verdict === 'different') setVerdict('compare', compareCard, { state: 'different', kicker: 'Verdict', word: 'Different characters', detail: 'A and B are farther apart than the threshold.', ...common });
      else setVerdict('compare', compareCard, { state: 'neutral', kicker: 'Distance', word: fmt(r.distance), detail: 'This model has no threshold, so it gives no verdict.', ...common });
    } catch (error) {
      if (seq !== compareSeq) return;
      done();
      setVerdict('compare', compareCard, { state: 'error', kicker: 'Something went wrong', word: 'No answer', detail: error.message });
    }
  }
  const compareLater = debounce(compare, 220);
  const compareSoon = (delay) => { compareCard.dataset.busy = '1'; compareLater(delay); };
  const onCompareChange = (kind, message) => {
    if (kind === 'error') { setVerdict('compare', compareCard, { state: 'error', kicker: 'Cannot use that file', word: 'Not an image', detail: message }); return; }
    compareSoon(kind === 'stroke' ? 30 : 220);
  };
  const padA = new Pad($('[data-pad="a"]'), onCompareChange);
  const padB = new Pad($('[data-pad="b"]'), onCompareChange);

  // ---- Modes, model line ----
  function setMode(mode) {
    for (const tab of document.querySelectorAll('.modes button')) tab.setAttribute('aria-selected', String(tab.dataset.mode === mode));
    $('#mode-search').hidden = mode !== 'search';
    $('#mode-compare').hidden = mode !== 'compare';
    if (location.hash !== '#' + mode) history.replaceState(null, '', mode === 'search' ? location.pathname : '#compare');
  }
  for (const tab of document.querySelectorAll('.modes button')) tab.addEventListener('click', () => setMode(tab.dataset.mode));
  setMode(location.hash === '#compare' ? 'compare' : 'search');

  fetch('/v1/model').then((r) => r.json()).then((m) => {
    const parts = [m.preset + ' model', m.image_side + '×' + m.image_side + ' px', m.embedding_size + '-d embeddings'];
    if (m.threshold != null) parts.push('threshold ' + fmt(m.threshold));
    parts.push(m.collection_size.toLocaleString('en') + ' glyphs to search');
    $('#model-line').textContent = parts.join('  ·  ');
  }).catch(() => { $('#model-line').textContent = 'The model information is unavailable.'; });
})();
"""#
}

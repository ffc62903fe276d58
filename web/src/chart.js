// A small SVG line chart over time: a ring of the last `maxPoints` samples of a few
// named series, redrawn on every push. No library, no network.

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

function svg(tag, attrs = {}, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

export class LineChart {
  /// container: element to draw into. options.title: accessible name.
  /// options.maxPoints: samples kept (default 300). options.yMax: fixed top of the
  /// y axis (e.g. 1 for a fraction); otherwise it follows the data.
  /// options.format: y value → label. options.target: a horizontal reference line.
  constructor(container, { title, maxPoints = 300, yMax, format = (v) => String(Math.round(v)), target } = {}) {
    this.container = container;
    this.title = title;
    this.maxPoints = maxPoints;
    this.yMax = yMax;
    this.format = format;
    this.target = target;
    this.times = [];
    this.series = new Map(); // name -> {color, values[]}
    this.width = 600;
    this.height = 200;
    this.svg = svg('svg', { viewBox: `0 0 ${this.width} ${this.height}`, role: 'img' });
    this.svgTitle = svg('title', {}, title);
    this.svg.append(this.svgTitle);
    this.legend = document.createElement('div');
    this.legend.className = 'legend';
    container.replaceChildren(this.svg, this.legend);
  }

  /// Adds one sample: `values` maps series name → number. A series missing from a
  /// sample gets a gap (null) there.
  push(t, values) {
    this.times.push(t);
    for (const name of Object.keys(values)) {
      if (!this.series.has(name)) {
        this.series.set(name, { color: PALETTE[this.series.size % PALETTE.length],
                                values: new Array(this.times.length - 1).fill(null) });
      }
    }
    for (const [name, s] of this.series) {
      const v = values[name];
      s.values.push(Number.isFinite(v) ? v : null);
    }
    if (this.times.length > this.maxPoints) {
      const drop = this.times.length - this.maxPoints;
      this.times.splice(0, drop);
      for (const s of this.series.values()) s.values.splice(0, drop);
    }
    this.render();
  }

  get size() {
    return this.times.length;
  }

  render() {
    const { width: W, height: H } = this;
    const pad = { l: 44, r: 8, t: 8, b: 20 };
    const plotW = W - pad.l - pad.r;
    const plotH = H - pad.t - pad.b;
    let top = this.yMax;
    if (top === undefined) {
      // Four gridline steps of a round size (1, 2, 5 × 10^n, at least 1), so counts
      // get whole-number labels.
      let max = 0;
      for (const s of this.series.values()) for (const v of s.values) if (v !== null && v > max) max = v;
      top = 4 * Math.max(1, niceCeil(max / 4));
    }
    const t0 = this.times[0] ?? 0;
    const t1 = this.times[this.times.length - 1] ?? 1;
    const span = Math.max(1, t1 - t0);
    const x = (t) => pad.l + ((t - t0) / span) * plotW;
    const y = (v) => pad.t + plotH - (Math.min(v, top) / top) * plotH;

    const nodes = [this.svgTitle];
    for (let i = 0; i <= 4; i += 1) {
      const v = (top * i) / 4;
      nodes.push(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), stroke: '#e3e7ee', 'stroke-width': 1 }));
      nodes.push(svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6676' }, this.format(v)));
    }
    if (this.target !== undefined) {
      nodes.push(svg('line', { x1: pad.l, x2: W - pad.r, y1: y(this.target), y2: y(this.target),
                               stroke: '#b3261e', 'stroke-dasharray': '4 4', 'stroke-width': 1 }));
    }
    nodes.push(svg('text', { x: pad.l, y: H - 4, 'font-size': 11, fill: '#5b6676' }, `-${Math.round(span / 1000)} s`));
    nodes.push(svg('text', { x: W - pad.r, y: H - 4, 'font-size': 11, fill: '#5b6676', 'text-anchor': 'end' }, 'now'));
    for (const [name, s] of this.series) {
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(this.times[i]).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      const path = svg('path', { d: d || 'M0,0', fill: 'none', stroke: s.color, 'stroke-width': 2 });
      path.dataset.series = name;
      nodes.push(path);
    }
    this.svg.replaceChildren(...nodes);
    const latest = [...this.series].map(([name, s]) => `${name} ${this.format(s.values[s.values.length - 1] ?? 0)}`);
    this.svg.setAttribute('aria-label', `${this.title}: ${latest.join(', ') || 'no data yet'}`);
    this.legend.replaceChildren(...[...this.series].map(([name, s]) => {
      const span = document.createElement('span');
      span.style.setProperty('--c', s.color);
      span.textContent = name;
      return span;
    }));
  }
}

/// 1, 2, 5 × 10^n at or above v (v > 0; 1 otherwise).
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

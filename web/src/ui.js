// Small DOM and formatting helpers shared by the pages. Text from the server or the
// user always goes in as text nodes, never as HTML.
import { errorWords } from './words.js';

/// Creates an element: el('td', {class: 'num', dataset: {testid: 'x'}}, 'text', child).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'testid') node.dataset.testid = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/// Replaces the children of `node`.
export function setChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/// The element with `data-testid` = id (every page's anchors for tests and code).
export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

/// "1:05", "12 s", "—" for a duration in ms.
export function formatDuration(ms) {
  const n = Number(ms);
  if (!Number.isFinite(n) || n < 0) return '—';
  const s = Math.round(n / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/// "83 %" for a fraction 0..1.
export function formatPercent(x, digits = 0) {
  const n = Number(x);
  if (!Number.isFinite(n)) return '—';
  return `${(n * 100).toFixed(digits)} %`;
}

/// A money amount with two decimals.
export function formatMoney(x) {
  const n = Number(x);
  if (!Number.isFinite(n)) return '—';
  return n.toFixed(2);
}

/// "10:42:07" for a time in ms since the epoch.
export function formatClock(ms) {
  const n = Number(ms);
  if (!Number.isFinite(n) || n <= 0) return '';
  return new Date(n).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/// The readable part of an enum name: enumLabel('CONTACT_STATE_WRAP_UP', 'CONTACT_STATE_') → "wrap up".
export function enumLabel(name, prefix = '') {
  if (!name) return '';
  const s = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  return s.toLowerCase().replace(/_/g, ' ');
}

/// Shows connection state and errors in the page's status bar (an ARIA live region).
/// Errors are shown in plain words for the page's reader (`audience`: 'customer',
/// 'agent' or 'supervisor', see words.js); the code stays in `data-code`, and
/// supervisors also see it with the server's message.
export class StatusBar {
  constructor(root, { audience = 'agent' } = {}) {
    this.root = root;
    this.audience = audience;
    this.state = el('span', { class: 'conn', testid: 'connection-state' }, 'not connected');
    this.message = el('span', { class: 'message', testid: 'status-message', role: 'status' });
    this.errorBox = el('div', { class: 'error', testid: 'error', role: 'alert', hidden: true });
    root.replaceChildren(this.state, this.message, this.errorBox);
  }

  setState(s) {
    const labels = { idle: 'not connected', connecting: 'connecting…', open: 'connected',
                     reconnecting: 'reconnecting…', closed: 'disconnected', ended: 'chat ended' };
    this.state.textContent = labels[s] ?? s;
    this.state.dataset.state = s;
  }

  info(text) {
    this.message.textContent = text;
  }

  /// Shows an error until cleared (`error(null)`): a SwitchboardError or `{code}` in
  /// the words of words.js, or `{code, words}` with the page's own sentence.
  error(err) {
    if (!err) {
      this.errorBox.hidden = true;
      this.errorBox.textContent = '';
      delete this.errorBox.dataset.code;
      return;
    }
    const code = err.code || 'ERROR';
    const words = err.words || (err.code || !err.message ? errorWords(code, this.audience) : err.message);
    const detail = err.detail ?? '';
    const technical = this.audience === 'supervisor' && err.code
      ? el('span', { class: 'code' }, ` (${code}${detail ? `: ${detail}` : ''})`) : null;
    setChildren(this.errorBox, el('span', { testid: 'error-words' }, words), technical,
      el('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => this.error(null) }, '×'));
    this.errorBox.dataset.code = code;
    this.errorBox.hidden = false;
  }
}

/// Runs `fn` and reports a failure to the status bar instead of throwing.
export async function guarded(status, fn) {
  try {
    status.error(null);
    return await fn();
  } catch (err) {
    status.error(err);
    return undefined;
  }
}

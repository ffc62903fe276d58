// The Switchboard edge client shared by the pages: one WebSocket speaking the JSON
// text mapping of `proto/edge.proto` (an `Envelope` per text frame: lowerCamelCase
// fields, enums by name, 64-bit integers as strings).
//
//   const c = new SwitchboardClient({ hello: () => ({ role: 'ROLE_GATEWAY', tenant, apiKey }) });
//   const welcome = await c.connect();
//   c.on('contactUpdate', (u) => ...);            // pushes, by body type
//   const opened = await c.request('openContact', { ... });  // reply body, or throws
//
// Requests carry a fresh `requestId`; the promise resolves with the reply's body
// (`{}` for an Ack) or rejects with a `SwitchboardError` (the server's `Error`, a
// timeout or a lost connection). With `reconnect: true` a dropped connection is
// re-established with backoff and `hello()` is sent again (agents pass
// `resume: true` there to get their session back within the grace period); a
// close the server means to be final (see `closeIsFinal`) is not retried.

/// An error from the server (its `Error.code` by name) or from the client itself
/// (`DISCONNECTED`, `TIMEOUT`, `MALFORMED_FRAME`).
export class SwitchboardError extends Error {
  constructor(code, message, requestId = '') {
    super(message ? `${code}: ${message}` : code);
    this.name = 'SwitchboardError';
    this.code = code;
    this.detail = message || '';
    this.requestId = requestId;
  }
}

/// Error codes after which reconnecting with the same credentials cannot help.
const FATAL_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'PERMISSION_DENIED', 'UNKNOWN_TENANT']);

/// Errors the server sends just before it closes a connection that is worth
/// re-establishing (the node restarts; the client fell behind).
const RETRY_CODES = new Set(['SHUTTING_DOWN', 'SLOW_CONSUMER']);

/// Whether a close is the server saying "do not come back": a clean close (1000),
/// going away (1001: the node closes a connection another one of the same agent
/// took over), a policy close (1008) or an application code 4000-4999 — unless the
/// server named a retryable reason (SHUTTING_DOWN, SLOW_CONSUMER) just before.
/// Drops (1006), restarts (1011-1013) and codes 3000-3999 are retried.
export function closeIsFinal(code, lastErrorCode = '') {
  if (RETRY_CODES.has(lastErrorCode)) return false;
  return code === 1000 || code === 1001 || code === 1008 || (code >= 4000 && code < 5000);
}

/// The WebSocket URL of the node that served this page: same origin, path `/ws`.
/// A `ws` query parameter overrides it (development against another port).
export function defaultUrl(loc = globalThis.location) {
  const override = new URLSearchParams(loc.search).get('ws');
  if (override) return override;
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

/// The body type of an envelope: its one key besides `requestId`.
export function bodyType(envelope) {
  for (const k of Object.keys(envelope)) if (k !== 'requestId') return k;
  return '';
}

export class SwitchboardClient {
  /// options.hello: () => Hello body (called on every (re)connect).
  /// options.url: WebSocket URL (default: same origin /ws).
  /// options.reconnect: re-establish a dropped connection (default false).
  /// options.requestTimeoutMs: per request (default 10 s).
  constructor({ hello, url = defaultUrl(), reconnect = false, requestTimeoutMs = 10000,
                minBackoffMs = 250, maxBackoffMs = 5000 } = {}) {
    if (typeof hello !== 'function') throw new TypeError('hello must be a function returning the Hello body');
    this.url = url;
    this.hello = hello;
    this.reconnect = reconnect;
    this.requestTimeoutMs = requestTimeoutMs;
    this.minBackoffMs = minBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.state = 'idle'; // idle | connecting | open | reconnecting | closed
    this.welcome = null;
    this.clockOffsetMs = 0; // server time - local time, from Welcome.serverTimeMs
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); // requestId -> {resolve, reject, timer, type}
    this.handlers = new Map(); // body type or lifecycle event -> Set<fn>
    this.closedByUser = false;
    this.lastErrorCode = ''; // code of the last Error without a pending request
    this.backoffMs = minBackoffMs;
    this.retryTimer = null;
  }

  /// Registers `fn` for pushes of a body type (`offer`, `chatLine`, ...) or for a
  /// lifecycle event: `state` (new state), `welcome` (every Welcome, also after a
  /// reconnect), `error` (errors without a pending request), `close` (final close:
  /// `{code, reason, byUser}`).
  /// Returns a function that unregisters it.
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  emit(type, ...args) {
    for (const fn of this.handlers.get(type) ?? []) {
      try {
        fn(...args);
      } catch (e) {
        console.error(`switchboard: ${type} handler failed`, e);
      }
    }
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /// Opens the connection and says Hello; resolves with the Welcome body or rejects
  /// with the server's error (bad credentials) or DISCONNECTED.
  connect() {
    this.closedByUser = false;
    this.setState('connecting');
    return this.open();
  }

  /// Connects like `connect()`, but a failure worth retrying (the node is not there
  /// yet, a drop) is retried with backoff as after a lost connection: for a page that
  /// comes back to a session after a reload. Needs `reconnect: true`.
  reopen() {
    this.closedByUser = false;
    this.setState('reconnecting');
    return this.open();
  }

  open() {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url);
      } catch (e) {
        reject(new SwitchboardError('DISCONNECTED', String(e.message || e)));
        return;
      }
      this.ws = ws;
      let welcomed = false;
      ws.onopen = () => {
        this.request('hello', this.hello()).then((w) => {
          welcomed = true;
          this.welcome = w;
          if (w.serverTimeMs) this.clockOffsetMs = Number(w.serverTimeMs) - Date.now();
          this.backoffMs = this.minBackoffMs;
          this.setState('open');
          this.emit('welcome', w);
          resolve(w);
        }, (err) => {
          if (FATAL_CODES.has(err.code)) this.closedByUser = true; // retrying cannot help
          reject(err);
          ws.close(1000, 'hello refused');
        });
      };
      ws.onmessage = (ev) => this.dispatch(ev.data);
      ws.onclose = (ev) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.failPending(new SwitchboardError('DISCONNECTED', ev.reason || `connection closed (${ev.code})`));
        if (!welcomed) reject(new SwitchboardError('DISCONNECTED', ev.reason || `connection closed (${ev.code})`));
        const final = closeIsFinal(ev.code, this.lastErrorCode);
        this.lastErrorCode = '';
        if (this.reconnect && !this.closedByUser && !final && (welcomed || this.state === 'reconnecting')) {
          this.scheduleReconnect();
        } else {
          this.setState('closed');
          this.emit('close', { code: ev.code, reason: ev.reason, byUser: this.closedByUser });
        }
      };
      ws.onerror = () => {}; // onclose follows and carries what we can know
    });
  }

  scheduleReconnect() {
    this.setState('reconnecting');
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.closedByUser) return;
      this.open().catch((err) => {
        // A refused Hello marks the client closed and onclose reports it; any other
        // failure makes onclose schedule the next attempt.
        if (FATAL_CODES.has(err.code)) this.emit('error', err);
      });
    }, delay);
  }

  failPending(err) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SwitchboardError(err.code, err.detail, id));
    }
    this.pending.clear();
  }

  dispatch(data) {
    if (typeof data !== 'string') {
      this.emit('error', new SwitchboardError('MALFORMED_FRAME', 'binary frame on a JSON connection'));
      return;
    }
    let env;
    try {
      env = JSON.parse(data);
    } catch {
      this.emit('error', new SwitchboardError('MALFORMED_FRAME', 'frame is not JSON'));
      return;
    }
    const type = bodyType(env);
    const body = env[type] ?? {};
    const id = env.requestId || '';
    const p = id && this.pending.get(id);
    if (p) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (type === 'error') p.reject(new SwitchboardError(body.code || 'ERROR_CODE_UNSPECIFIED', body.message, id));
      else p.resolve(body);
      return;
    }
    if (type === 'error') {
      this.lastErrorCode = body.code || '';
      this.emit('error', new SwitchboardError(body.code || 'ERROR_CODE_UNSPECIFIED', body.message, id));
      return;
    }
    this.emit(type, body, env);
  }

  /// Sends `{requestId, [type]: body}`; resolves with the reply's body.
  request(type, body = {}, { timeoutMs = this.requestTimeoutMs } = {}) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new SwitchboardError('DISCONNECTED', 'not connected'));
    }
    const requestId = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new SwitchboardError('TIMEOUT', `no reply to ${type} within ${timeoutMs} ms`, requestId));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer, type });
      ws.send(JSON.stringify({ requestId, [type]: body }));
    });
  }

  /// Server time now, in ms since the epoch (local clock corrected by the Welcome).
  serverNow() {
    return Date.now() + this.clockOffsetMs;
  }

  /// Closes for good (no reconnect).
  close() {
    this.closedByUser = true;
    clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000, 'bye');
    else this.setState('closed');
  }
}

/// Reads credentials and options from the page's query string.
export function queryParams(loc = globalThis.location) {
  return Object.fromEntries(new URLSearchParams(loc.search));
}

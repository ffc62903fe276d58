// Shared pieces of the browser tests: Debian's Chromium through playwright-core, a
// real `switchboard serve` child process, and a static file server for the tests
// that need no node.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/// The built pages: $WEB_DIST, else web/dist next to this folder.
export const webDist = resolve(process.env.WEB_DIST || join(here, '..', 'dist'));

/// Bounded waits of the tests (ms). Slow machines: raise with WEB_TEST_TIMEOUT_MS.
export const TIMEOUT = Number(process.env.WEB_TEST_TIMEOUT_MS) || 15000;

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/// A headless Chromium. Playwright starts it with a fresh temporary
/// `--user-data-dir` of its own and removes it on close. Every `newPage` opens in a
/// context of its own: the agent, the customer and the supervisor are different
/// people (separate storage), and each page is the front page of its own window —
/// Chromium throttles animation frames of background tabs in one window to about
/// one per second, which makes every Playwright action on them wait seconds.
/// Pages record console errors and uncaught exceptions in `page.errors`.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext();
      context.setDefaultTimeout(TIMEOUT);
      const page = await context.newPage();
      page.errors = [];
      page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
      page.on('close', () => { context.close().catch(() => {}); });
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json',
};
const ROUTES = { '/': 'index.html', '/agent': 'agent.html', '/wallboard': 'wallboard.html', '/chat': 'chat.html' };

/// Serves `dir` the way the node does (same page routes), on a free port. No /ws.
export async function startStaticServer(dir = webDist) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const rel = ROUTES[path] ?? normalize(decodeURIComponent(path)).replace(/^[/\\]+/, '');
    const file = join(dir, rel);
    if (rel.includes('..') || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/// Starts `switchboard serve --config FILE` ($SWITCHBOARD_BIN) with `config` (the JSON
/// mapping of pb::ServeConfig; port 0, a temp data dir and the built pages filled in)
/// and resolves once it printed `listening on http://HOST:PORT`.
export async function startSwitchboard(config = {}) {
  const bin = process.env.SWITCHBOARD_BIN;
  if (!bin) throw new Error('SWITCHBOARD_BIN is not set');
  const dir = mkdtempSync(join(tmpdir(), 'sb-web-node-'));
  const full = { listenAddress: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), durability: 'no_sync',
                 webDir: webDist, logLevel: 'warn', ...config };
  const configFile = join(dir, 'serve.json');
  writeFileSync(configFile, JSON.stringify(full, null, 2));
  const child = spawn(bin, ['serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`switchboard serve did not print its port within ${TIMEOUT} ms:\n${output}`)), TIMEOUT);
    const scan = (chunk) => {
      output += chunk;
      const m = /listening on (https?:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout.setEncoding('utf8').on('data', scan);
    child.stderr.setEncoding('utf8').on('data', scan);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`switchboard serve exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    url,
    config: full,
    output: () => output,
    /// SIGTERM; resolves with the exit {code, signal} (SIGKILL after TIMEOUT).
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT);
      const result = await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

/// Waits (bounded) until `locator` has text matching `pattern`.
export async function waitForText(locator, pattern, timeout = TIMEOUT) {
  await locator.filter({ hasText: pattern }).first().waitFor({ state: 'visible', timeout });
}

/// `[data-testid="id"]`, optionally inside `scope` (a Page or Locator).
export function tid(scope, id) {
  return scope.locator(`[data-testid="${id}"]`);
}

/// Waits (bounded) until `fn()` (in the page) returns a truthy value.
export async function waitInPage(page, fn, arg, timeout = TIMEOUT) {
  return page.waitForFunction(fn, arg, { timeout, polling: 100 });
}

/// Starts the README's main job the way a newcomer does — `switchboard serve --demo`
/// on a free port with a temp data dir — and resolves with the URLs, API key and
/// agent token it printed.
export async function startDemo() {
  const bin = process.env.SWITCHBOARD_BIN;
  if (!bin) throw new Error('SWITCHBOARD_BIN is not set');
  const dir = mkdtempSync(join(tmpdir(), 'sb-web-demo-'));
  const child = spawn(bin, ['serve', '--demo', '--port', '0', '--data-dir', join(dir, 'data'),
    '--web-dir', webDist, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const printed = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`switchboard serve --demo did not print its pages within ${TIMEOUT} ms:\n${output}`)), TIMEOUT);
    const scan = (chunk) => {
      output += chunk;
      const page = (name) => new RegExp(`${name}\\s+(http://\\S+)`).exec(output)?.[1];
      const urls = { agent: page('agent desktop'), wallboard: page('wallboard'), chat: page('customer chat') };
      const key = /API key (\S+)/.exec(output)?.[1];
      if (urls.agent && urls.wallboard && urls.chat && key && /simulated load/.test(output)) {
        clearTimeout(timer);
        ok({ urls, key, url: new URL(urls.agent).origin });
      }
    };
    child.stdout.setEncoding('utf8').on('data', scan);
    child.stderr.setEncoding('utf8').on('data', scan);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`switchboard serve --demo exited (${code ?? signal}) early:\n${output}`));
    });
  });
  return {
    ...printed,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT);
      const result = await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

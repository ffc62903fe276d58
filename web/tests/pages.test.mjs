// The pages load in headless Chromium without errors and behave sensibly with no
// node behind them: served by a static file server, so this runs without a build of
// the C++ side.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startStaticServer, tid, waitForText } from './harness.mjs';

describe('pages without a node', () => {
  let browser;
  let server;

  before(async () => {
    server = await startStaticServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  // A failed WebSocket handshake is logged by Chromium itself; everything else is ours.
  const ownErrors = (page) => page.errors.filter((e) => !/WebSocket connection to .* failed/.test(e));

  for (const [path, heading] of [['/', 'Switchboard'], ['/agent', 'Agent desktop'],
    ['/wallboard', 'Wallboard'], ['/chat', 'Chat with us']]) {
    it(`${path} loads without console errors`, async () => {
      const page = await browser.newPage();
      const res = await page.goto(server.url + path);
      assert.equal(res.status(), 200);
      await waitForText(page.locator('h1'), heading);
      // Every module script ran: each page marks its status bar or links.
      if (path !== '/') await waitForText(tid(page, 'connection-state'), 'not connected');
      assert.deepEqual(ownErrors(page), []);
      await page.close();
    });
  }

  it('index links carry the query string to the pages', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?tenant=demo&key=k1`);
    await page.waitForFunction(() => document.querySelector('[data-testid="link-chat"]').search === '?tenant=demo&key=k1');
    await page.close();
  });

  it('credentials come from the query string', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/agent?tenant=acme&token=tok123&chats=3`);
    assert.equal(await tid(page, 'agent-tenant').inputValue(), 'acme');
    assert.equal(await tid(page, 'agent-token').inputValue(), 'tok123');
    assert.equal(await tid(page, 'agent-capacity').inputValue(), '3');
    await page.goto(`${server.url}/chat?tenant=acme&key=secret&customer=c-9&intent=no_signal`);
    assert.equal(await tid(page, 'chat-key').inputValue(), 'secret');
    assert.equal(await tid(page, 'chat-customer').inputValue(), 'c-9');
    assert.equal(await tid(page, 'chat-intent').inputValue(), 'no_signal');
    assert.equal(await tid(page, 'chat-connection').getAttribute('open'), null);
    await page.close();
  });

  it('a failed connection shows a typed error and the form stays usable', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/agent?tenant=acme&token=tok`);
    await tid(page, 'agent-login').click();
    await waitForText(tid(page, 'error'), 'Cannot reach the node');
    assert.equal(await tid(page, 'error').getAttribute('data-code'), 'DISCONNECTED');
    assert.equal(await tid(page, 'agent-login-form').isVisible(), true);
    assert.equal(await tid(page, 'agent-login').isEnabled(), true);
    assert.equal(await tid(page, 'agent-desk').isVisible(), false);
    assert.deepEqual(ownErrors(page), []);
    await page.close();
  });

  it('the customer page reports a failed start and lets the customer retry', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/chat?tenant=acme&key=k`);
    await tid(page, 'chat-start').click();
    await waitForText(tid(page, 'error'), 'We could not reach the service');
    assert.equal(await tid(page, 'error').getAttribute('data-code'), 'DISCONNECTED');
    assert.equal(await tid(page, 'chat-start').isEnabled(), true);
    assert.equal(await tid(page, 'chat-session').isVisible(), false);
    await page.close();
  });

  it('the client reads envelopes and decides when to reconnect', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const r = await page.evaluate(async () => {
      const { bodyType, closeIsFinal, defaultUrl } = await import('/client.js');
      return {
        push: bodyType({ offer: {} }),
        reply: bodyType({ requestId: 'r1', ack: {} }),
        url: defaultUrl({ protocol: 'https:', host: 'sb.example:8443', search: '' }),
        override: defaultUrl({ protocol: 'http:', host: 'x', search: '?ws=ws://127.0.0.1:9/ws' }),
        drop: closeIsFinal(1006),
        replaced: closeIsFinal(1001),
        shutdown: closeIsFinal(1001, 'SHUTTING_DOWN'),
        slow: closeIsFinal(1008, 'SLOW_CONSUMER'),
        policy: closeIsFinal(1008),
        app: closeIsFinal(4001),
        library: closeIsFinal(3000),
      };
    });
    assert.deepEqual(r, {
      push: 'offer', reply: 'ack', url: 'wss://sb.example:8443/ws', override: 'ws://127.0.0.1:9/ws',
      drop: false, replaced: true, shutdown: false, slow: false, policy: true, app: true, library: false,
    });
    await page.close();
  });

  it('every error code of the protocol has plain words for customers and agents', async () => {
    const proto = readFileSync(new URL('../../proto/edge.proto', import.meta.url), 'utf8');
    const enumBody = /enum ErrorCode \{([^}]*)\}/.exec(proto)[1];
    const codes = [...enumBody.matchAll(/^\s*([A-Z_]+) = \d+;/gm)].map((m) => m[1])
      .filter((c) => c !== 'ERROR_CODE_UNSPECIFIED' && !['DATABASE_LOCKED', 'BAD_DATA_DIR', 'CORRUPT_RECORD'].includes(c));
    assert.ok(codes.length > 25, `read ${codes.length} codes from edge.proto`);
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const words = await page.evaluate(async (list) => {
      const { errorWords, hasWords } = await import('/words.js');
      return list.map((code) => ({ code, known: hasWords(code), customer: errorWords(code, 'customer'),
                                   agent: errorWords(code, 'agent') }));
    }, [...codes, 'DISCONNECTED', 'TIMEOUT']);
    for (const w of words) {
      assert.ok(w.known, `${w.code} has no plain words in words.js`);
      for (const text of [w.customer, w.agent]) assert.doesNotMatch(text, /[A-Z]{2,}_[A-Z]+/, `${w.code}: ${text}`);
    }
    const byCode = Object.fromEntries(words.map((w) => [w.code, w]));
    assert.equal(byCode.UNAUTHENTICATED.customer, 'Connection lost — start a new chat.');
    assert.equal(byCode.UNKNOWN_CONTACT.customer, 'This chat has ended.');
    assert.match(byCode.RATE_LIMITED.agent, /^Slow down a little/);
    await page.close();
  });

  it('the chart draws series and keeps the last N points', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/wallboard`);
    const result = await page.evaluate(async () => {
      const { LineChart } = await import('/chart.js');
      const box = document.createElement('div');
      document.body.append(box);
      const chart = new LineChart(box, { title: 'Waiting', maxPoints: 5 });
      for (let i = 0; i < 8; i += 1) chart.push(i * 1000, { all: i, billing: i % 2 });
      return { size: chart.size, paths: box.querySelectorAll('path').length,
               label: box.querySelector('svg').getAttribute('aria-label') };
    });
    assert.equal(result.size, 5);
    assert.equal(result.paths, 2);
    assert.match(result.label, /all 7/);
    await page.close();
  });
});

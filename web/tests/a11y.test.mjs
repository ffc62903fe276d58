// Accessibility of the three pages in their main states, checked with axe-core (from
// the npm registry, injected into the page) against a real `switchboard serve`: the
// forms before connecting, the wallboard with live data, the desk with an offer
// ringing, in a conversation and in wrap-up, the customer page waiting, chatting,
// rating and thanked. Any `serious` or `critical` violation fails, and so does
// content outside a landmark. Also: focus moves to
// the first useful control after the agent logs in, and to the thanks after a rating.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startSwitchboard, tid, waitForText } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const TENANT = 'a11y';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const QUEUE = 'help';
const AGENT = 'ada';

/// Runs axe on the page as it is now; resolves with the serious and critical
/// violations, each as "rule: target (summary)".
async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  assert.ok(result.passes.length > 10, `axe ran ${result.passes.length} passing rules only`);
  // Landmark rules are 'moderate' to axe; the pages keep every part in a landmark.
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region' || v.id.startsWith('landmark-'))
    .flatMap((v) => v.nodes.map((n) => `${v.id} [${v.impact}]: ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`));
}

async function assertAccessible(page, what) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${what}: axe found serious or critical violations`);
}

describe('accessibility (axe-core)', { skip: !process.env.SWITCHBOARD_BIN && 'SWITCHBOARD_BIN is not set' }, () => {
  let node;
  let browser;
  let token;

  before(async () => {
    node = await startSwitchboard({
      tenants: [{ tenant: TENANT, apiKey: API_KEY }],
      tokenSecret: randomBytes(32).toString('hex'),
    });
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`${node.url}/`);
    token = await page.evaluate(async ({ tenant, apiKey, queue, agent }) => {
      const { SwitchboardClient } = await import('/client.js');
      const admin = new SwitchboardClient({ hello: () => ({ role: 'ROLE_SUPERVISOR', tenant, apiKey }) });
      await admin.connect();
      await admin.request('defineQueue', { queue: {
        tenant, id: queue, name: 'Help', skills: [{ skill: 'chat', minProficiency: 10 }],
        channels: ['CHANNEL_CHAT'], admitCrowd: true, offerTimeoutMs: '60000' } });
      await admin.request('defineAgent', { agent: {
        tenant, id: agent, name: 'Ada', skills: [{ name: 'chat', proficiency: 80 }], languages: ['en'],
        capacity: [{ channel: 'CHANNEL_CHAT', max: 2 }] } });
      const t = (await admin.request('mintAgentToken', { agent, ttlS: '600' })).token;
      admin.close();
      return t;
    }, { tenant: TENANT, apiKey: API_KEY, queue: QUEUE, agent: AGENT });
    await page.close();
  });

  after(async () => {
    await browser?.close();
    if (node) {
      const exit = await node.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `switchboard serve did not exit cleanly:\n${node.output()}`);
    }
  });

  async function open(path) {
    const page = await browser.newPage();
    const res = await page.goto(node.url + path);
    assert.equal(res.status(), 200, `GET ${path}`);
    await waitForText(tid(page, 'connection-state').or(page.locator('nav')), /./);
    return page;
  }

  it('the index and the forms before connecting', async () => {
    for (const path of ['/', '/agent', '/wallboard', '/chat']) {
      const page = await open(path);
      await assertAccessible(page, path);
      await page.close();
    }
  });

  it('the wallboard with live data', async () => {
    const page = await open(`/wallboard?tenant=${TENANT}&key=${API_KEY}&interval=250`);
    await page.locator(`[data-testid="wb-queue-row"][data-queue="${QUEUE}"]`).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="wb-chart-waiting"] path').length > 0);
    await assertAccessible(page, 'wallboard');
    // An error in the status bar, as a supervisor sees it.
    const wrong = await open(`/wallboard?tenant=${TENANT}&key=wrong`);
    await tid(wrong, 'error').waitFor();
    await assertAccessible(wrong, 'wallboard with an error');
    await page.close();
    await wrong.close();
  });

  it('the desk and the customer page through a whole chat', async () => {
    const desk = await open(`/agent?tenant=${TENANT}`);
    await tid(desk, 'agent-token').fill(token);
    await tid(desk, 'agent-login').click();
    await waitForText(tid(desk, 'agent-state'), /^away$/);
    // Focus goes to the first thing to do after logging in.
    assert.equal(await desk.evaluate(() => document.activeElement?.dataset.testid), 'agent-available');
    await assertAccessible(desk, 'desk after login');
    await tid(desk, 'agent-available').click();
    await waitForText(tid(desk, 'agent-state'), /^available$/);

    const chat = await open(`/chat?tenant=${TENANT}&key=${API_KEY}&customer=c-1&queue=${QUEUE}&name=Lin`);
    await tid(chat, 'chat-question').fill('Where is my order?');
    await tid(chat, 'chat-start').click();
    await tid(chat, 'chat-session').waitFor();
    await waitForText(tid(chat, 'chat-state'), 'Waiting');
    await assertAccessible(chat, 'chat page waiting');

    const offer = tid(desk, 'offer');
    await offer.waitFor();
    await waitForText(tid(desk, 'agent-state'), /^ringing$/);
    await assertAccessible(desk, 'desk with an offer ringing');
    await tid(offer, 'offer-accept').click();
    const panel = tid(desk, 'chat-panel');
    await panel.waitFor();
    await waitForText(tid(chat, 'chat-state'), 'Chatting with');
    await tid(chat, 'chat-input').fill('It is late.');
    await tid(chat, 'chat-send').click();
    await waitForText(tid(panel, 'line-customer'), 'It is late.');
    await tid(panel, 'agent-input').fill('Let me look.');
    await tid(panel, 'agent-send').click();
    await waitForText(tid(chat, 'line-agent'), 'Let me look.');
    await assertAccessible(desk, 'desk in a conversation');
    await assertAccessible(chat, 'chat page in a conversation');

    await tid(panel, 'agent-end-chat').click();
    await waitForText(tid(desk, 'agent-state'), /^wrap-up$/);
    await assertAccessible(desk, 'desk in wrap-up');
    await tid(chat, 'chat-rating-form').waitFor();
    await assertAccessible(chat, 'chat page asking for a rating');
    await tid(chat, 'chat-rate-5').check();
    await tid(chat, 'chat-rate-submit').click();
    await waitForText(tid(chat, 'chat-thanks-text'), '5 out of 5');
    // Focus goes to the thanks, so a screen reader says it and the keyboard starts there.
    assert.equal(await chat.evaluate(() => document.activeElement?.closest('[data-testid="chat-thanks"]') !== null), true);
    await assertAccessible(chat, 'chat page thanked');

    await tid(panel, 'wrapup-submit').click();
    await panel.waitFor({ state: 'detached' });
    await assertAccessible(desk, 'desk after completing');
    for (const page of [desk, chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
    await desk.close();
    await chat.close();
  });
});

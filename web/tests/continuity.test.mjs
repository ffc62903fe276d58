// Continuity of the pages against a real `switchboard serve` (issue #9): an agent or a
// customer who reloads mid-chat gets the conversation back and both sides can still
// write; a customer who closes the page is "left" after the node's customer grace
// (abandoned while waiting; the agent sees "customer left" while chatting); a message
// sent during a reconnect arrives exactly once; a rating given after the agent
// completed is kept. Each test has its own queue and agent (a skill only they share),
// so offers never go to another test's agent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startSwitchboard, tid, waitForText, waitInPage } from './harness.mjs';

const TENANT = 'continuity';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const CUSTOMER_GRACE_MS = 1500;
const CASES = ['agentreload', 'custreload', 'closewait', 'closechat', 'reconnect', 'rating', 'whyme'];

// The pages resume with ResumeContact (proto/edge.proto); a checkout whose node
// predates it cannot run these.
const proto = readFileSync(new URL('../../proto/edge.proto', import.meta.url), 'utf8');
const skip = !process.env.SWITCHBOARD_BIN ? 'SWITCHBOARD_BIN is not set'
  : !/message ResumeContact/.test(proto) ? 'edge.proto has no ResumeContact yet' : false;

/// Wraps the page's WebSocket before its scripts run: `window.__sb.offline = true`
/// makes new connections fail (as with no network); `__sb.drop()` closes the live
/// socket like a network drop; `__sb.dropAfterSend = 'text'` closes it right after
/// a frame containing that text went out, before its reply can arrive.
function socketControl() {
  const Native = window.WebSocket;
  const sb = { offline: false, sockets: [], dropAfterSend: '' };
  window.__sb = sb;
  sb.drop = () => { for (const s of sb.sockets) if (s.readyState === Native.OPEN) s.close(3000, 'test drop'); };
  window.WebSocket = class extends Native {
    constructor(url, ...rest) {
      super(sb.offline ? 'ws://127.0.0.1:9/offline' : url, ...rest);
      sb.sockets.push(this);
    }

    send(data) {
      super.send(data);
      if (sb.dropAfterSend && typeof data === 'string' && data.includes(sb.dropAfterSend)) {
        sb.dropAfterSend = '';
        this.close(3000, 'test drop after send');
      }
    }
  };
}

describe('continuity of the pages', { skip }, () => {
  let node;
  let browser;
  const tokens = {};

  before(async () => {
    node = await startSwitchboard({
      tenants: [{ tenant: TENANT, apiKey: API_KEY }],
      tokenSecret: randomBytes(32).toString('hex'),
      customerGraceMs: CUSTOMER_GRACE_MS,
      ratingWindowMs: 60000,
      logLevel: process.env.WEB_TEST_NODE_LOG ? 'debug' : 'warn',
    });
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`${node.url}/`);
    Object.assign(tokens, await page.evaluate(async ({ tenant, apiKey, cases }) => {
      const { SwitchboardClient } = await import('/client.js');
      const admin = new SwitchboardClient({ hello: () => ({ role: 'ROLE_SUPERVISOR', tenant, apiKey }) });
      await admin.connect();
      const minted = {};
      for (const c of cases) {
        await admin.request('defineQueue', { queue: {
          tenant, id: `q-${c}`, name: c, skills: [{ skill: `s-${c}`, minProficiency: 10 }],
          channels: ['CHANNEL_CHAT'], admitCrowd: true, offerTimeoutMs: '60000' } });
        await admin.request('defineAgent', { agent: {
          tenant, id: `a-${c}`, name: `Agent ${c}`, skills: [{ name: `s-${c}`, proficiency: 80 }],
          languages: ['en'], capacity: [{ channel: 'CHANNEL_CHAT', max: 2 }] } });
        minted[c] = (await admin.request('mintAgentToken', { agent: `a-${c}`, ttlS: '600' })).token;
      }
      admin.close();
      return minted;
    }, { tenant: TENANT, apiKey: API_KEY, cases: CASES }));
    await page.close();
  });

  after(async () => {
    await browser?.close();
    if (node) {
      const exit = await node.stop();
      if (process.env.WEB_TEST_NODE_LOG) console.log(node.output());
      assert.deepEqual(exit, { code: 0, signal: null }, `switchboard serve did not exit cleanly:\n${node.output()}`);
    }
  });

  async function open(path, { control = false } = {}) {
    const page = await browser.newPage();
    if (control) await page.addInitScript(socketControl);
    const res = await page.goto(node.url + path);
    assert.equal(res.status(), 200, `GET ${path}`);
    return page;
  }

  /// An agent of `c` logged in and available on the desk.
  async function agentDesk(c) {
    const desk = await open(`/agent?tenant=${TENANT}&token=${encodeURIComponent(tokens[c])}&chats=2`, { control: true });
    await tid(desk, 'agent-login').click();
    await waitForText(tid(desk, 'agent-name'), `a-${c}`);
    await tid(desk, 'agent-available').click();
    await waitForText(tid(desk, 'agent-state'), /^available$/);
    return desk;
  }

  /// A customer page of `c` that started a chat (not yet accepted).
  async function customer(c, question = '') {
    const chat = await open(`/chat?tenant=${TENANT}&key=${API_KEY}&customer=cust-${c}&queue=q-${c}&name=Pat`, { control: true });
    if (question) await tid(chat, 'chat-question').fill(question);
    await tid(chat, 'chat-start').click();
    await tid(chat, 'chat-session').waitFor();
    return { chat, contactId: await tid(chat, 'chat-session').getAttribute('data-contact-id') };
  }

  /// The agent accepts the customer's offer; resolves with the conversation's panel.
  async function connect(desk, chat, contactId) {
    const offer = desk.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);
    await tid(offer, 'offer-accept').click();
    const panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await panel.waitFor();
    await waitForText(tid(chat, 'chat-state'), 'Chatting with');
    return panel;
  }

  async function say(page, scope, who, text) {
    await tid(scope, who === 'agent' ? 'agent-input' : 'chat-input').fill(text);
    await tid(scope, who === 'agent' ? 'agent-send' : 'chat-send').click();
  }

  /// How many lines of `testid` contain `text` (on the agent side: in `scope`).
  function count(scope, testid, text) {
    return tid(scope, testid).filter({ hasText: text }).count();
  }

  async function delivered(scope, testid, text) {
    await waitForText(tid(scope, testid), text);
    return count(scope, testid, text);
  }

  it('an agent who reloads mid-chat gets the conversation back; both sides still write', async () => {
    const desk = await agentDesk('agentreload');
    const { chat, contactId } = await customer('agentreload', 'Card blocked');
    let panel = await connect(desk, chat, contactId);
    await say(chat, chat, 'customer', 'Before the reload');
    await waitForText(tid(panel, 'line-customer'), 'Before the reload');
    await say(desk, panel, 'agent', 'Looking at it');
    await waitForText(tid(chat, 'line-agent'), 'Looking at it');

    await desk.reload();
    panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await panel.waitFor();
    await waitForText(tid(desk, 'agent-name'), 'a-agentreload');
    assert.equal(await delivered(panel, 'line-customer', 'Before the reload'), 1);
    assert.equal(await delivered(panel, 'line-agent', 'Looking at it'), 1);
    assert.equal(await delivered(panel, 'line-customer', 'Card blocked'), 1);
    await waitForText(tid(desk, 'agent-state'), /^busy$/);
    await waitForText(tid(desk, 'agent-load'), '1');

    await say(desk, panel, 'agent', 'Unblocked it');
    assert.equal(await delivered(chat, 'line-agent', 'Unblocked it'), 1);
    await say(chat, chat, 'customer', 'Works, thanks');
    assert.equal(await delivered(panel, 'line-customer', 'Works, thanks'), 1);
    for (const page of [desk, chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
    await desk.close();
    await chat.close();
  });

  it('the desk says why the agent got the contact, on the offer, in the chat and after a reload', async () => {
    const desk = await agentDesk('whyme');
    const { chat, contactId } = await customer('whyme', 'Why me?');
    const offer = desk.locator(`[data-testid="offer"][data-contact-id="${contactId}"]`);
    // On the offer: folded under "Why me?", this agent's row marked as its own.
    await offer.getByText('Why me?').click();
    const onOffer = tid(tid(offer, 'offer-why'), 'why-me');
    await onOffer.waitFor({ state: 'visible' });
    const selfRow = (scope) => scope.locator('[data-testid="why-candidate"][data-self="true"]');
    assert.equal(await selfRow(onOffer).getAttribute('data-agent'), 'a-whyme');
    assert.equal(await selfRow(onOffer).getAttribute('aria-current'), 'true');
    await waitForText(tid(onOffer, 'why-summary'), /^Offered to you by the .+ policy/);

    let panel = await connect(desk, chat, contactId);
    let why = tid(tid(panel, 'why-me-box'), 'why-me');
    assert.equal(await why.getAttribute('data-source'), 'offer');
    await waitForText(selfRow(why), 'You (a-whyme)');
    const score = await tid(selfRow(why), 'why-total').textContent();
    assert.match(score, /^\d+\.\d\d$/);
    // The full table has the score terms; the table is labelled by its caption.
    assert.deepEqual(await why.locator('thead th').allTextContents(),
      ['Agent', 'Score', 'Skill', 'Affinity', 'Value', 'Fairness', 'Waiting']);
    await waitForText(why.locator('caption'), 'Candidates compared');

    // After a reload there is no Offer: the desk asks the node by contact id.
    await desk.reload();
    panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await panel.waitFor();
    why = tid(tid(panel, 'why-me-box'), 'why-me');
    await why.and(desk.locator('[data-source="fetched"]')).waitFor();
    await waitForText(selfRow(why), 'You (a-whyme)');
    assert.equal(await tid(selfRow(why), 'why-total').textContent(), score);
    await waitForText(tid(why, 'why-summary'), /^Offered to you/);

    // A supervisor reads the same decision by contact id.
    const decisions = await desk.evaluate(async ({ tenant, apiKey, id }) => {
      const { SwitchboardClient } = await import('/client.js');
      const sup = new SwitchboardClient({ hello: () => ({ role: 'ROLE_SUPERVISOR', tenant, apiKey }) });
      await sup.connect();
      const r = await sup.request('getDecision', { contactId: id });
      sup.close();
      return r.decisions.map((d) => d.agent);
    }, { tenant: TENANT, apiKey: API_KEY, id: contactId });
    assert.deepEqual(decisions, ['a-whyme']);
    for (const page of [desk, chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
    await desk.close();
    await chat.close();
  });

  it('a customer who reloads mid-chat gets the conversation back; both sides still write', async () => {
    const desk = await agentDesk('custreload');
    const { chat, contactId } = await customer('custreload');
    const panel = await connect(desk, chat, contactId);
    await say(chat, chat, 'customer', 'First line');
    await waitForText(tid(panel, 'line-customer'), 'First line');
    await say(desk, panel, 'agent', 'First answer');
    await waitForText(tid(chat, 'line-agent'), 'First answer');

    await chat.reload();
    await waitForText(tid(chat, 'chat-state'), 'Chatting with');
    assert.equal(await tid(chat, 'chat-start-form').isVisible(), false);
    assert.equal(await tid(chat, 'chat-session').getAttribute('data-contact-id'), contactId);
    assert.equal(await delivered(chat, 'line-customer', 'First line'), 1);
    assert.equal(await delivered(chat, 'line-agent', 'First answer'), 1);

    await say(chat, chat, 'customer', 'After my reload');
    assert.equal(await delivered(panel, 'line-customer', 'After my reload'), 1);
    await say(desk, panel, 'agent', 'Still here');
    assert.equal(await delivered(chat, 'line-agent', 'Still here'), 1);
    assert.equal(await count(chat, 'line-agent', 'First answer'), 1);
    for (const page of [desk, chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
    await desk.close();
    await chat.close();
  });

  it('a customer who closes the page while waiting is abandoned after the grace period', async () => {
    const wallboard = await open(`/wallboard?tenant=${TENANT}&key=${API_KEY}&interval=200`);
    const row = wallboard.locator('[data-testid="wb-queue-row"][data-queue="q-closewait"]');
    await row.waitFor();
    const { chat } = await customer('closewait');
    await waitForText(tid(row, 'wb-queue-waiting'), '1');
    await chat.close();
    // Nobody ends it explicitly: the node's customer grace does.
    await waitForText(tid(row, 'wb-queue-abandoned'), '1', CUSTOMER_GRACE_MS + 15000);
    await waitForText(tid(row, 'wb-queue-waiting'), '0');
    await wallboard.close();
  });

  it('a customer who closes the page while chatting: the agent sees "customer left"', async () => {
    const desk = await agentDesk('closechat');
    const { chat, contactId } = await customer('closechat');
    const panel = await connect(desk, chat, contactId);
    await say(chat, chat, 'customer', 'Bye for now');
    await waitForText(tid(panel, 'line-customer'), 'Bye for now');
    await chat.close();
    await waitForText(tid(panel, 'chat-state'), 'customer left', CUSTOMER_GRACE_MS + 15000);
    await waitForText(tid(panel, 'line-system'), 'The customer left');
    assert.equal(await tid(panel, 'agent-input').isDisabled(), true);
    await tid(panel, 'wrapup-submit').click();
    await panel.waitFor({ state: 'detached' });
    assert.deepEqual(desk.errors, []);
    await desk.close();
  });

  it('messages sent during a reconnect arrive exactly once, in order', async () => {
    const desk = await agentDesk('reconnect');
    const { chat, contactId } = await customer('reconnect');
    const panel = await connect(desk, chat, contactId);

    // The customer's network goes away: lines typed now wait, then go once.
    await chat.evaluate(() => { window.__sb.offline = true; window.__sb.drop(); });
    await waitForText(tid(chat, 'connection-state'), 'reconnecting');
    await say(chat, chat, 'customer', 'Queued one');
    await say(chat, chat, 'customer', 'Queued two');
    assert.equal(await tid(chat, 'line-pending').count(), 2);
    await chat.evaluate(() => { window.__sb.offline = false; });
    await waitForText(tid(chat, 'connection-state'), /^connected/);
    assert.equal(await delivered(panel, 'line-customer', 'Queued one'), 1);
    assert.equal(await delivered(panel, 'line-customer', 'Queued two'), 1);
    const order = await tid(panel, 'line-customer').allInnerTexts();
    assert.ok(order.findIndex((t) => t.includes('Queued one')) < order.findIndex((t) => t.includes('Queued two')), order.join(' | '));
    await waitInPage(chat, () => document.querySelectorAll('[data-testid="line-pending"]').length === 0);

    // The socket drops right after a line went out, before its Ack: it is sent again
    // with the same client_msg_id and still shows once on the other side.
    await chat.evaluate(() => { window.__sb.dropAfterSend = 'Sent as the line dropped'; });
    await say(chat, chat, 'customer', 'Sent as the line dropped');
    await waitInPage(chat, () => document.querySelectorAll('[data-testid="line-pending"]').length === 0);
    await waitForText(tid(panel, 'line-customer'), 'Sent as the line dropped');
    await desk.evaluate(() => { window.__sb.dropAfterSend = 'Agent line as it dropped'; });
    await say(desk, panel, 'agent', 'Agent line as it dropped');
    await waitInPage(desk, () => document.querySelectorAll('[data-testid="line-pending"]').length === 0);
    await waitForText(tid(chat, 'line-agent'), 'Agent line as it dropped');
    // A later line is a barrier: everything before it has arrived.
    await say(desk, panel, 'agent', 'Barrier');
    await waitForText(tid(chat, 'line-agent'), 'Barrier');
    await say(chat, chat, 'customer', 'Barrier back');
    await waitForText(tid(panel, 'line-customer'), 'Barrier back');
    assert.equal(await count(panel, 'line-customer', 'Sent as the line dropped'), 1);
    assert.equal(await count(chat, 'line-agent', 'Agent line as it dropped'), 1);

    // And after a reload both sides still show each line once (the node kept one).
    await chat.reload();
    await waitForText(tid(chat, 'chat-state'), 'Chatting with');
    for (const text of ['Queued one', 'Queued two', 'Sent as the line dropped', 'Barrier back']) {
      assert.equal(await delivered(chat, 'line-customer', text), 1, text);
    }
    assert.equal(await delivered(chat, 'line-agent', 'Agent line as it dropped'), 1);
    await desk.reload();
    const again = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await again.waitFor();
    assert.equal(await delivered(again, 'line-customer', 'Sent as the line dropped'), 1);
    assert.equal(await delivered(again, 'line-agent', 'Agent line as it dropped'), 1);
    await desk.close();
    await chat.close();
  });

  it('a rating given after the agent completed is kept', async () => {
    const desk = await agentDesk('rating');
    const { chat, contactId } = await customer('rating');
    const panel = await connect(desk, chat, contactId);
    await say(desk, panel, 'agent', 'All done, anything else?');
    await waitForText(tid(chat, 'line-agent'), 'All done');
    // The agent ends and completes before the customer rates.
    await tid(panel, 'agent-end-chat').click();
    await waitForText(tid(panel, 'chat-state'), 'wrap-up');
    await tid(panel, 'wrapup-resolved').check();
    await tid(panel, 'wrapup-submit').click();
    await panel.waitFor({ state: 'detached' });
    await waitForText(tid(desk, 'agent-handled'), '1');
    await tid(chat, 'chat-rating-form').waitFor();
    await waitInPage(chat, () => document.querySelector('[data-testid="chat-wait"]').dataset.state === 'CONTACT_STATE_COMPLETED');
    await tid(chat, 'chat-rate-4').check();
    await tid(chat, 'chat-rate-submit').click();
    await waitForText(tid(chat, 'chat-thanks-text'), '4 out of 5');
    assert.equal(await tid(chat, 'error').isVisible(), false);
    // The rating reached the agent's results (RateContact, after completion).
    await waitForText(tid(desk, 'agent-csat'), '4.00', 15000);
    for (const page of [desk, chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
    await desk.close();
    await chat.close();
  });
});

// The whole web chat path against a real `switchboard serve` ($SWITCHBOARD_BIN) in
// headless Chromium: a supervisor defines a queue and an agent and mints its token;
// the agent logs in on the desktop and goes available; a customer starts a chat; the
// agent accepts the offer; they exchange messages both ways; the agent ends the chat,
// the customer rates it, the agent completes it with an outcome (which carries the
// rating); the wallboard shows the contact routed and completed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startSwitchboard, tid, waitForText, waitInPage } from './harness.mjs';

const TENANT = 'webtest';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const QUEUE = 'webchat';
const AGENT = 'alice';
const OTHER_AGENT = 'bob';  // only in the reconnect test, so it never takes alice's chats

describe('web chat end to end', { skip: !process.env.SWITCHBOARD_BIN && 'SWITCHBOARD_BIN is not set' }, () => {
  let node;
  let browser;
  const pages = [];
  const tokens = {};

  before(async () => {
    node = await startSwitchboard({
      tenants: [{ tenant: TENANT, apiKey: API_KEY }],
      tokenSecret: randomBytes(32).toString('hex'),
      logLevel: process.env.WEB_TEST_NODE_LOG ? 'debug' : 'warn',
    });
    browser = await launchBrowser();
    // A supervisor defines the queue and the agents and mints their tokens, with the
    // pages' own client module.
    const page = await open('/');
    Object.assign(tokens, await page.evaluate(async ({ tenant, apiKey, queue, agents }) => {
      const { SwitchboardClient } = await import('/client.js');
      const admin = new SwitchboardClient({ hello: () => ({ role: 'ROLE_SUPERVISOR', tenant, apiKey }) });
      await admin.connect();
      await admin.request('defineQueue', { queue: {
        tenant, id: queue, name: 'Web chat', skills: [{ skill: 'chat', minProficiency: 10 }],
        channels: ['CHANNEL_CHAT'], admitCrowd: true, serviceLevelTarget: 0.8, serviceLevelThresholdMs: '20000',
        offerTimeoutMs: '60000', policy: 'ROUTING_POLICY_PROFILE' } });
      const minted = {};
      for (const agent of agents) {
        await admin.request('defineAgent', { agent: {
          tenant, id: agent, name: `Agent ${agent}`, skills: [{ name: 'chat', proficiency: 80 }],
          languages: ['en'], capacity: [{ channel: 'CHANNEL_CHAT', max: 3 }], level: 'AGENT_LEVEL_CROWD',
          remote: true } });
        minted[agent] = (await admin.request('mintAgentToken', { agent, ttlS: '600' })).token;
      }
      admin.close();
      return minted;
    }, { tenant: TENANT, apiKey: API_KEY, queue: QUEUE, agents: [AGENT, OTHER_AGENT] }));
    await page.close();
    pages.splice(pages.indexOf(page), 1);
  });

  after(async () => {
    // WEB_TEST_SHOTS=DIR keeps a screenshot of every page, for looking at failures.
    const shots = process.env.WEB_TEST_SHOTS;
    if (shots) {
      for (const [i, page] of pages.entries()) {
        const name = new URL(page.url()).pathname.replace(/\W+/g, '') || 'index';
        await page.screenshot({ path: `${shots}/${i}-${name}.png`, fullPage: true }).catch(() => {});
      }
    }
    await browser?.close();
    if (node) {
      const exit = await node.stop();
      // WEB_TEST_NODE_LOG=1 prints what the node said.
      if (process.env.WEB_TEST_NODE_LOG) console.log(node.output());
      assert.deepEqual(exit, { code: 0, signal: null }, `switchboard serve did not exit cleanly:\n${node.output()}`);
    }
  });

  async function open(path) {
    const page = await browser.newPage();
    pages.push(page);
    const res = await page.goto(node.url + path);
    assert.equal(res.status(), 200, `GET ${path}`);
    return page;
  }

  it('healthz answers', async () => {
    const res = await fetch(`${node.url}/healthz`);
    assert.equal(res.status, 200);
  });

  it('a customer chat goes from the chat page to the agent desktop and back', async () => {
    const wallboard = await open(`/wallboard?tenant=${TENANT}&key=${API_KEY}&interval=250`);
    await waitForText(tid(wallboard, 'connection-state'), 'connected');
    const token = tokens[AGENT];
    const queueRow = wallboard.locator(`[data-testid="wb-queue-row"][data-queue="${QUEUE}"]`);
    await queueRow.waitFor();

    // -- the agent logs in and takes up to two chats ----------------------------------
    const desk = await open(`/agent?tenant=${TENANT}`);
    await tid(desk, 'agent-token').fill(token);
    await tid(desk, 'agent-login').click();
    await waitForText(tid(desk, 'agent-name'), AGENT);
    await waitForText(tid(desk, 'connection-state'), /^connected/);
    // Logged in is not available: the desk waits for the agent's choice.
    await waitForText(tid(desk, 'agent-state'), /^away$/);
    await tid(desk, 'agent-capacity').fill('2');
    await tid(desk, 'agent-available').click();
    await waitForText(tid(desk, 'agent-state'), /^available$/);
    await waitForText(tid(desk, 'agent-level'), 'crowd');

    // -- the customer starts a chat -----------------------------------------------------
    const hints = 'tier=4&arpu=88.5&segments=business,family&region=north&risk=0.8';
    const chat = await open(`/chat?tenant=${TENANT}&key=${API_KEY}&customer=web-cust-1&queue=${QUEUE}`
      + `&intent=balance&name=Ann&${hints}`);
    await tid(chat, 'chat-question').fill('My bill doubled this month');
    await tid(chat, 'chat-start').click();
    await tid(chat, 'chat-session').waitFor();

    // -- the offer reaches the agent with a countdown; the agent accepts --------------
    const offer = tid(desk, 'offer');
    await offer.waitFor();
    await waitForText(tid(offer, 'offer-countdown'), /\d+\.\d s/);
    assert.match(await desk.title(), /^\(1\) offer/);
    await waitForText(tid(desk, 'agent-state'), /^ringing$/);
    const contactId = await offer.getAttribute('data-contact-id');
    assert.match(contactId, /^chat-/);
    await tid(offer, 'offer-accept').click();
    const panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await panel.waitFor();
    assert.equal(await offer.count(), 0);
    await waitForText(tid(desk, 'agent-state'), /^busy$/);

    // The customer never repeats themselves: profile, journey, the question.
    await waitForText(tid(panel, 'customer-tier'), 'tier 4');
    await waitForText(tid(panel, 'customer-arpu'), '88.50');
    await waitForText(tid(panel, 'customer-segments'), 'business');
    await waitForText(tid(panel, 'customer-journey'), 'help centre');
    await waitForText(tid(panel, 'customer-attached'), 'My bill doubled this month');
    await waitForText(tid(panel, 'line-customer'), 'My bill doubled this month');

    await waitForText(tid(chat, 'chat-state'), 'Chatting with');

    // -- messages both ways ------------------------------------------------------------
    await tid(chat, 'chat-input').fill('Hello, is anyone there?');
    await tid(chat, 'chat-send').click();
    await waitForText(tid(panel, 'line-customer'), 'Hello, is anyone there?');
    await tid(panel, 'agent-input').fill('Hi Ann, I can see your bill. Let me fix it.');
    await tid(panel, 'agent-send').click();
    await waitForText(tid(chat, 'line-agent'), 'Let me fix it.');

    // -- the agent ends the chat; the customer rates; the agent wraps up -------------
    await tid(panel, 'agent-end-chat').click();
    await waitForText(tid(panel, 'chat-state'), 'wrap-up');
    await waitForText(tid(desk, 'agent-state'), /^wrap-up$/);
    await tid(chat, 'chat-rating-form').waitFor();
    await tid(chat, 'chat-rate-5').check();
    await tid(chat, 'chat-rate-submit').click();
    await waitForText(tid(chat, 'chat-thanks-text'), '5 out of 5');
    // The rating reaches the agent and joins the outcome.
    await waitForText(tid(panel, 'line-system'), 'rated the service 5 out of 5');
    assert.equal(await tid(panel, 'wrapup-csat').inputValue(), '5');
    await tid(panel, 'wrapup-resolved').check();
    await tid(panel, 'wrapup-sale').check();
    await tid(panel, 'wrapup-amount').fill('49.99');
    await tid(panel, 'wrapup-disposition').selectOption('fixed');
    await tid(panel, 'wrapup-notes').fill('refunded the double charge');
    await tid(panel, 'wrapup-submit').click();
    await panel.waitFor({ state: 'detached' });
    await waitForText(tid(desk, 'agent-handled'), '1');
    await waitForText(tid(desk, 'agent-resolved'), '1');
    await waitForText(tid(desk, 'agent-csat'), '5.00');

    // -- the wallboard saw it -----------------------------------------------------------
    await waitInPage(wallboard, () => Number(document.querySelector('[data-testid="wb-routed"]').textContent) >= 1);
    await waitInPage(wallboard, () => Number(document.querySelector('[data-testid="wb-completed"]').textContent) >= 1);
    await waitForText(tid(queueRow, 'wb-queue-answered'), '1');
    await wallboard.locator(`[data-testid="wb-agent-row"][data-agent="${AGENT}"]`).waitFor();
    await waitInPage(wallboard, () => document.querySelectorAll('[data-testid="wb-chart-waiting"] path').length > 0);

    for (const page of pages) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
  });

  it('the desktop serves two chats at once; a customer who leaves first is wrapped up', async () => {
    const desk = await open(`/agent?tenant=${TENANT}&token=${encodeURIComponent(tokens[AGENT])}&chats=2`);
    await tid(desk, 'agent-login').click();
    await waitForText(tid(desk, 'agent-name'), AGENT);
    await tid(desk, 'agent-available').click();
    await waitForText(tid(desk, 'status-message'), 'up to 2 chats');

    const customers = [];
    for (const [name, customer] of [['Bo', 'web-cust-2'], ['Cy', 'web-cust-3']]) {
      const chat = await open(`/chat?tenant=${TENANT}&key=${API_KEY}&customer=${customer}&queue=${QUEUE}`
        + `&intent=roaming&name=${name}`);
      await tid(chat, 'chat-start').click();
      await tid(chat, 'chat-session').waitFor();
      customers.push({ name, customer, chat, contactId: await tid(chat, 'chat-session').getAttribute('data-contact-id') });
    }
    for (const c of customers) {
      const offer = desk.locator(`[data-testid="offer"][data-contact-id="${c.contactId}"]`);
      await tid(offer, 'offer-accept').click();
      c.panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${c.contactId}"]`);
      c.tab = desk.locator(`[data-testid="chat-tab"][data-contact-id="${c.contactId}"]`);
      await c.tab.waitFor();
      await waitForText(tid(c.chat, 'chat-state'), 'Chatting with');
    }
    const [bo, cy] = customers;
    // The last accepted chat is in front; a line from the other one marks its tab.
    assert.equal(await cy.tab.getAttribute('aria-selected'), 'true');
    await tid(bo.chat, 'chat-input').fill('Roaming in Spain does not work');
    await tid(bo.chat, 'chat-send').click();
    await waitForText(tid(bo.tab, 'chat-unread'), '1');
    await bo.tab.click();
    await waitForText(tid(bo.panel, 'line-customer'), 'Roaming in Spain');
    assert.equal(await tid(cy.panel, 'line-customer').count(), 0);
    await tid(bo.panel, 'agent-input').fill('Switching it on for you now.');
    await tid(bo.panel, 'agent-send').click();
    await waitForText(tid(bo.chat, 'line-agent'), 'Switching it on');
    assert.equal(await tid(cy.chat, 'line-agent').count(), 0);

    // Cy leaves without waiting: the rating goes with EndContact while connected.
    await tid(cy.chat, 'chat-end').click();
    await tid(cy.chat, 'chat-rate-4').check();
    await tid(cy.chat, 'chat-rate-submit').click();
    await waitForText(tid(cy.chat, 'chat-thanks-text'), '4 out of 5');
    await waitForText(tid(cy.tab, 'chat-unread'), /[1-9]/);
    await cy.tab.click();
    await waitForText(tid(cy.panel, 'line-system'), 'The customer left');
    await waitForText(tid(cy.panel, 'line-system'), 'rated the service 4 out of 5');
    await waitForText(tid(cy.panel, 'chat-state'), 'customer left');
    assert.equal(await tid(cy.panel, 'agent-input').isDisabled(), true);

    for (const c of [cy, bo]) {
      await c.tab.click();
      await tid(c.panel, 'wrapup-resolved').check();
      await tid(c.panel, 'wrapup-submit').click();
      await c.panel.waitFor({ state: 'detached' });
    }
    // Bo's chat was completed while Bo was still there: the page says so.
    await waitForText(tid(bo.chat, 'chat-state'), 'Chat ended');
    await waitForText(tid(desk, 'agent-handled'), '3');
    assert.equal(await tid(desk, 'chat-tab').count(), 0);
    await tid(desk, 'agent-logout').click();
    await tid(desk, 'agent-login-form').waitFor();
    for (const page of [desk, bo.chat, cy.chat]) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
  });

  it('an agent whose connection drops resumes its session', async () => {
    const page = await open('/');
    const result = await page.evaluate(async ({ tenant, token }) => {
      const { SwitchboardClient } = await import('/client.js');
      let welcomes = 0;
      const c = new SwitchboardClient({
        reconnect: true, minBackoffMs: 50,
        hello: () => ({ role: 'ROLE_AGENT', tenant, agentToken: token, resume: welcomes > 0 }),
      });
      const states = [];
      c.on('state', (s) => states.push(s));
      const again = new Promise((ok) => c.on('welcome', (w) => { welcomes += 1; if (welcomes === 2) ok(w); }));
      await c.connect();
      await c.request('setAvailability', { available: true, capacity: [{ channel: 'CHANNEL_CHAT', max: 1 }] });
      c.ws.close(3000, 'test drops the connection'); // 3000-3999: retried, like a drop
      const w = await again;
      const stats = await c.request('agentStatsRequest', {});
      await c.request('setAvailability', { available: false });
      c.close();
      return { resumed: w.resumed ?? false, agent: w.agent, state: stats.state, states };
    }, { tenant: TENANT, token: tokens[OTHER_AGENT] });
    assert.equal(result.agent, OTHER_AGENT);
    assert.equal(result.resumed, true);
    assert.equal(result.state, 'available');
    assert.deepEqual(result.states, ['connecting', 'open', 'reconnecting', 'open']);
  });

  it('a wrong API key is refused with a typed error', async () => {
    // The supervisor sees the code beside the words.
    const page = await open(`/wallboard?tenant=${TENANT}&key=wrong`);
    await waitForText(tid(page, 'error'), 'Wrong tenant or API key.');
    await waitForText(tid(page, 'error'), 'UNAUTHENTICATED');
    assert.equal(await tid(page, 'error').getAttribute('data-code'), 'UNAUTHENTICATED');
    assert.equal(await tid(page, 'wb-form').isVisible(), true);
  });

  it('a customer with a bad key reads plain words, not a code', async () => {
    const page = await open(`/chat?tenant=${TENANT}&key=wrong-key-for-this-tenant&queue=${QUEUE}`);
    await tid(page, 'chat-start').click();
    await waitForText(tid(page, 'error'), 'Connection lost — start a new chat');
    assert.equal(await tid(page, 'error').getAttribute('data-code'), 'UNAUTHENTICATED');
    assert.doesNotMatch(await tid(page, 'status-bar').innerText(), /[A-Z]{3,}_?[A-Z]*/);
    assert.equal(await tid(page, 'chat-start').isEnabled(), true);
  });

  it('a forged agent token is refused in plain words', async () => {
    const page = await open(`/agent?tenant=${TENANT}&token=not-a-token`);
    await tid(page, 'agent-login').click();
    await waitForText(tid(page, 'error'), /login (was refused|has expired)/);
    assert.match(await tid(page, 'error').getAttribute('data-code'), /^(UNAUTHENTICATED|TOKEN_EXPIRED)$/);
    assert.doesNotMatch(await tid(page, 'error').innerText(), /UNAUTHENTICATED|TOKEN_EXPIRED/);
    assert.equal(await tid(page, 'agent-login-form').isVisible(), true);
  });
});

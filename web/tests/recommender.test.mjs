// The wallboard's recommender panels against a real `switchboard serve`
// ($SWITCHBOARD_BIN) whose tenant runs the live on/off comparison (set in the
// config file's `routing`): a gateway opens a contact after a bad path and the
// wallboard lists its complaint-risk alert with the reasons; an agent serves a
// contact and the "Recommender on/off" panel counts its outcome for the arm that
// routed it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startSwitchboard, tid, waitForText, waitInPage } from './harness.mjs';

const TENANT = 'recotest';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const QUEUE = 'care';
const AGENT = 'carol';

describe('wallboard: complaint-risk alerts and the live on/off comparison',
  { skip: !process.env.SWITCHBOARD_BIN && 'SWITCHBOARD_BIN is not set' }, () => {
    let node;
    let browser;
    let token;

    before(async () => {
      node = await startSwitchboard({
        tenants: [{ tenant: TENANT, apiKey: API_KEY, routing: { experiment: { sliceMs: '600000' } } }],
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
          tenant, id: queue, name: 'Care', channels: ['CHANNEL_CHAT'], serviceLevelTarget: 0.8,
          serviceLevelThresholdMs: '20000', offerTimeoutMs: '60000', policy: 'ROUTING_POLICY_PROFILE' } });
        await admin.request('defineAgent', { agent: {
          tenant, id: agent, name: 'Carol', languages: ['en'],
          capacity: [{ channel: 'CHANNEL_CHAT', max: 2 }], level: 'AGENT_LEVEL_SENIOR' } });
        const t = (await admin.request('mintAgentToken', { agent, ttlS: '600' })).token;
        admin.close();
        return t;
      }, { tenant: TENANT, apiKey: API_KEY, queue: QUEUE, agent: AGENT });
      await page.close();
    });

    after(async () => {
      await browser?.close();
      await node?.stop();
    });

    it('shows the alert of a contact after a bad path, and the outcome counted for its arm', async () => {
      const board = await browser.newPage();
      await board.goto(`${node.url}/wallboard?tenant=${TENANT}&key=${API_KEY}&interval=200`);
      await waitForText(tid(board, 'connection-state'), 'connected');
      await waitForText(tid(board, 'wb-alerts-raised'), '0');
      assert.equal(await tid(board, 'wb-onoff-box').isHidden(), true, 'no comparison before an outcome');

      const driver = await browser.newPage();
      await driver.goto(`${node.url}/`);
      const policy = await driver.evaluate(async ({ tenant, apiKey, queue, agentToken }) => {
        const { SwitchboardClient } = await import('/client.js');
        const agent = new SwitchboardClient({ hello: () => ({ role: 'ROLE_AGENT', tenant, agentToken }) });
        const offered = new Promise((ok) => agent.on('offer', ok));
        await agent.connect();
        await agent.request('setAvailability', { available: true, capacity: [{ channel: 'CHANNEL_CHAT', max: 2 }] });
        const gw = new SwitchboardClient({ hello: () => ({ role: 'ROLE_GATEWAY', tenant, apiKey }) });
        await gw.connect();
        // Bot failed, transferred twice, profile risk 0.4: 1 - 0.6 x 0.85^3 = 0.63.
        await gw.request('openContact', {
          contactId: 'hot-1', customerId: 'cust-hot', channel: 'CHANNEL_CHAT', intent: 'billing', language: 'en',
          queue, journey: ['bot: failed to find the bill', 'transfer:sales->billing', 'transfer:billing->care'],
          customer: { complaintRisk: 0.4 } });
        const offer = await offered;
        await agent.request('acceptOffer', { contactId: offer.contactId, offerId: offer.offerId });
        await agent.request('wrapUp', { contactId: offer.contactId, outcome: { resolved: true, disposition: 'fixed' } });
        agent.close();
        gw.close();
        return offer.decision.policy;
      }, { tenant: TENANT, apiKey: API_KEY, queue: QUEUE, agentToken: token });
      assert.ok(['ROUTING_POLICY_PROFILE', 'ROUTING_POLICY_LONGEST_IDLE'].includes(policy), policy);

      const alert = board.locator('[data-testid="wb-alert-row"][data-contact="hot-1"]');
      await alert.waitFor();
      await waitForText(tid(alert, 'wb-alert-reasons'), /risk 0\.63: .*1 failed self-service step.*2 transfers/);
      await waitForText(tid(board, 'wb-alerts-raised'), '1');
      assert.equal(await tid(board, 'wb-alerts-none').isHidden(), true);

      const row = board.locator(`[data-testid="wb-onoff-row"][data-queue="${QUEUE}"]`);
      await row.waitFor();
      await waitForText(tid(row, 'wb-onoff-uplift'), '—');
      await waitForText(tid(row, 'wb-onoff-interval'), 'needs 2 slices each');
      const cells = await row.locator('td').allTextContents();
      const profileArm = policy === 'ROUTING_POLICY_PROFILE';
      assert.match(cells[profileArm ? 2 : 1], /100(\.0)?\s?% of 1/, cells.join(' | '));
      assert.match(cells[profileArm ? 1 : 2], / of 0/, cells.join(' | '));
      await waitInPage(board, () => document.querySelector('[data-testid="wb-onoff-box"]').hidden === false);
      await board.close();
      await driver.close();
    });
  });

// The README's run command, as a newcomer uses it: `switchboard serve --demo`
// prints the three pages' URLs (with the demo API key and a ready-made agent token
// in their query strings) and keeps simulated load running. Opening exactly those
// URLs, a person serves a customer chat end to end while the simulated agents and
// customers go on around them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, startDemo, tid, waitForText, waitInPage } from './harness.mjs';

describe('switchboard serve --demo', { skip: !process.env.SWITCHBOARD_BIN && 'SWITCHBOARD_BIN is not set' }, () => {
  let node;
  let browser;
  const pages = [];

  before(async () => {
    node = await startDemo();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (node) {
      const exit = await node.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `switchboard serve --demo did not exit cleanly:\n${node.output()}`);
    }
  });

  async function open(url) {
    const page = await browser.newPage();
    pages.push(page);
    const res = await page.goto(url);
    assert.equal(res.status(), 200, `GET ${url}`);
    return page;
  }

  it('the printed URLs serve a customer chat end to end', async () => {
    const wallboard = await open(node.urls.wallboard + '&interval=250');
    await waitForText(tid(wallboard, 'connection-state'), 'connected');
    const webRow = wallboard.locator('[data-testid="wb-queue-row"][data-queue="web"]');
    await webRow.waitFor();
    // The simulated load is alive: contacts get routed without anyone in a browser.
    await waitInPage(wallboard, () => Number(document.querySelector('[data-testid="wb-routed"]').textContent) >= 1);

    // The agent desktop URL carries the token: the newcomer only clicks.
    const desk = await open(node.urls.agent);
    await tid(desk, 'agent-login').click();
    await waitForText(tid(desk, 'agent-name'), 'agent-1');
    await tid(desk, 'agent-capacity').fill('1');
    await tid(desk, 'agent-available').click();
    await waitForText(tid(desk, 'agent-state'), 'available');

    const chat = await open(node.urls.chat);
    await tid(chat, 'chat-question').fill('Where is my parcel?');
    await tid(chat, 'chat-start').click();
    await tid(chat, 'chat-session').waitFor();

    const offer = tid(desk, 'offer');
    await offer.waitFor();
    const contactId = await offer.getAttribute('data-contact-id');
    await tid(offer, 'offer-accept').click();
    const panel = desk.locator(`[data-testid="chat-panel"][data-contact-id="${contactId}"]`);
    await panel.waitFor();
    await waitForText(tid(panel, 'line-customer'), 'Where is my parcel?');
    await waitForText(tid(chat, 'chat-state'), 'Chatting with');

    await tid(chat, 'chat-input').fill('It was due yesterday.');
    await tid(chat, 'chat-send').click();
    await waitForText(tid(panel, 'line-customer'), 'It was due yesterday.');
    await tid(panel, 'agent-input').fill('It is out for delivery today.');
    await tid(panel, 'agent-send').click();
    await waitForText(tid(chat, 'line-agent'), 'out for delivery');

    await tid(panel, 'agent-end-chat').click();
    await tid(chat, 'chat-rating-form').waitFor();
    await tid(chat, 'chat-rate-4').check();
    await tid(chat, 'chat-rate-submit').click();
    await waitForText(tid(chat, 'chat-thanks-text'), '4 out of 5');
    await waitForText(tid(panel, 'line-system'), 'rated the service 4 out of 5');
    await tid(panel, 'wrapup-resolved').check();
    await tid(panel, 'wrapup-submit').click();
    await panel.waitFor({ state: 'detached' });
    await waitForText(tid(desk, 'agent-handled'), '1');

    // The wallboard counts the web queue's contact as answered.
    await waitForText(tid(webRow, 'wb-queue-answered'), '1');
    for (const page of pages) assert.deepEqual(page.errors, [], `console errors on ${page.url()}`);
  });
});

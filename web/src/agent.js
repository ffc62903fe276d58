// Agent desktop: log in with a token, choose availability and how many chats to take,
// accept or decline offers before their deadline, chat with several customers at once
// with each customer's profile, journey and attached data beside the conversation,
// wrap up with an outcome, and see tips and level. Reconnects with Hello{resume:true}.
import { SwitchboardClient, queryParams } from './client.js';
import {
  StatusBar, byTestId, el, enumLabel, formatDuration, formatMoney, formatPercent, guarded,
} from './ui.js';
import { agentEventWords, errorWords } from './words.js';
import { FEATURES } from './protocol.js';
import { whyMe, whyMissing } from './why.js';

const q = queryParams();
const status = new StatusBar(byTestId('status-bar'), { audience: 'agent' });
const loginForm = byTestId('agent-login-form');
const desk = byTestId('agent-desk');
const offersBox = byTestId('agent-offers');
const tabs = byTestId('chat-tabs');
const panels = byTestId('chat-panels');
const capacityInput = byTestId('agent-capacity');

const STATS_REFRESH_MS = 5000;
/// Where the desk keeps its login across a reload (this tab only), to resume the session.
const STORE_KEY = 'switchboard.agent';
/// Agent lines typed during a reconnect wait here, in order, at most this many.
const OUTBOX_MAX = 50;

/// The desk's state; one client, many offers and chats keyed by contact id.
const desk$ = {
  client: null,
  agent: '',
  welcomed: false,
  wantAvailable: null, // the agent's last choice; null: none yet
  nodeState: '',       // the node's last word on the agent: available, busy, wrap_up, away, offline
  offers: new Map(),  // contactId -> {offer, node, countdown}
  chats: new Map(),   // contactId -> chat (see openChat)
  selected: '',
  ticker: 0,
  statsTimer: 0,
  resumeOnLogin: false, // the page was reloaded with a session: resume it
  outbox: [],           // [{chat, id, text}] agent lines not yet acknowledged, in order
  nextMsg: 1,
  flushing: false,
};

function remember(tenant, token) {
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify({ tenant, token }));
  } catch {
    // Storage disabled: a reload logs in again by hand.
  }
}

function forgetLogin() {
  try {
    sessionStorage.removeItem(STORE_KEY);
  } catch {
    // Nothing kept.
  }
}

function rememberedLogin() {
  try {
    const v = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
    return v && v.tenant && v.token ? v : null;
  } catch {
    return null;
  }
}

// -- login and availability ---------------------------------------------------------

function prefill() {
  loginForm.elements.tenant.value = q.tenant ?? 'demo';
  loginForm.elements.token.value = q.token ?? '';
  if (q.chats) capacityInput.value = q.chats;
}

async function login(ev) {
  ev.preventDefault();
  const tenant = loginForm.elements.tenant.value.trim();
  const agentToken = loginForm.elements.token.value.trim();
  const button = byTestId('agent-login');
  button.disabled = true;
  const client = new SwitchboardClient({
    reconnect: true,
    hello: () => ({ role: 'ROLE_AGENT', tenant, agentToken, resume: desk$.welcomed || desk$.resumeOnLogin }),
  });
  client.on('state', (s) => status.setState(s));
  client.on('error', (e) => status.error(e));
  client.on('welcome', (w) => {
    remember(tenant, agentToken);
    onWelcome(w);
  });
  client.on('offer', addOffer);
  client.on('chatLine', onChatLine);
  client.on('agentUpdate', onAgentUpdate);
  client.on('agentStats', renderStats);
  client.on('close', (ev) => {
    if (desk$.client !== client) return;
    forgetLogin();
    if (desk$.welcomed) status.info(ev.byUser || !ev.reason ? 'Logged out.' : `Logged out: ${ev.reason}.`);
    resetDesk();
  });
  desk$.client = client;
  // After a reload the node may be restarting: keep trying, as after a drop.
  const welcome = await guarded(status, () => (desk$.resumeOnLogin ? client.reopen() : client.connect()));
  button.disabled = false;
  if (!welcome && desk$.client === client) {
    forgetLogin();
    desk$.resumeOnLogin = false;
    desk$.client = null;
    client.close();
  }
}

function onWelcome(w) {
  const first = !desk$.welcomed;
  desk$.welcomed = true;
  desk$.agent = w.agent || desk$.agent;
  byTestId('agent-name').textContent = desk$.agent;
  const wasHidden = desk.hidden;
  loginForm.hidden = true;
  desk.hidden = false;
  // The login form just vanished: move focus to the first thing to do.
  if (wasHidden) byTestId('agent-available').focus();
  if (first) {
    clearInterval(desk$.ticker);
    desk$.ticker = setInterval(tick, 250);
    clearInterval(desk$.statsTimer);
    desk$.statsTimer = setInterval(refreshStats, STATS_REFRESH_MS);
  }
  if (first && !w.resumed) {
    // The node makes an agent available at Hello; the desk says "available" only
    // once the agent chose it, so a fresh session starts away until "Go available".
    status.info(`Logged in as ${desk$.agent}. Choose "Go available" to take chats.`);
    desk$.nodeState = '';
    showState();
    setAvailability(false, { quiet: true });
    return;
  }
  if (w.resumed) {
    status.info(first ? `Welcome back, ${desk$.agent}; your session and conversations were kept.`
      : 'Reconnected; your session and conversations were kept.');
    syncContacts(w.contacts);
    flush();
  } else {
    // A new session: offers and conversations of the old one are gone.
    for (const id of [...desk$.offers.keys()]) removeOffer(id);
    for (const chat of desk$.chats.values()) {
      if (!chat.ended) {
        addLine(chat, 'system', 'The connection was lost and the session could not be resumed: '
          + 'no more messages here. You can still wrap up.');
        markEnded(chat, 'session lost');
      }
    }
    status.info('Reconnected as a new session.');
    // A new session starts with the node's default availability: restore the choice.
    setAvailability(desk$.wantAvailable === true, { quiet: desk$.wantAvailable === null });
    return;
  }
  refreshStats();
}

/// Asks the node for available (with the capacity field) or away; the pill changes
/// only once the node acknowledged. `quiet`: no status line (the desk's own choice).
async function setAvailability(available, { quiet = false } = {}) {
  const client = desk$.client;
  if (!client) return;
  const max = Math.max(1, Math.min(10, Number(capacityInput.value) || 1));
  capacityInput.value = max;
  const body = { available };
  if (available) body.capacity = [{ channel: 'CHANNEL_CHAT', max }];
  const ok = await guarded(status, () => client.request('setAvailability', body));
  if (ok) {
    if (!quiet) desk$.wantAvailable = available;
    desk$.nodeState = available ? 'available' : 'away';
    showState();
    if (!quiet) status.info(available ? `Available for up to ${max} chat${max === 1 ? '' : 's'}.` : 'Away: no new offers.');
    refreshStats();
  }
}

async function logout() {
  const client = desk$.client;
  if (!client) return;
  if (client.state === 'open') await client.request('setAvailability', { available: false }).catch(() => {});
  client.close();
}

function resetDesk() {
  clearInterval(desk$.ticker);
  clearInterval(desk$.statsTimer);
  for (const id of [...desk$.offers.keys()]) removeOffer(id);
  for (const id of [...desk$.chats.keys()]) closeChat(id);
  Object.assign(desk$, { client: null, agent: '', welcomed: false, wantAvailable: null, nodeState: '', selected: '',
                         resumeOnLogin: false, outbox: [] });
  byTestId('agent-name').textContent = '';
  desk.hidden = true;
  loginForm.hidden = false;
}

// -- stats ----------------------------------------------------------------------------

async function refreshStats() {
  const client = desk$.client;
  if (!client || client.state !== 'open') return;
  try {
    renderStats(await client.request('agentStatsRequest', {}));
  } catch (err) {
    if (err.code !== 'DISCONNECTED') status.error(err);
  }
}

/// The state pill: the node's state of the agent (from AgentStats or the last
/// acknowledged SetAvailability), shown as "ringing" while an offer waits for an answer.
function showState() {
  const state = desk$.offers.size > 0 ? 'ringing' : desk$.nodeState || 'logged_in';
  const pill = byTestId('agent-state');
  pill.textContent = { wrap_up: 'wrap-up', logged_in: 'logged in' }[state] ?? state;
  pill.dataset.state = state;
  pill.className = `pill ${{ available: 'good', ringing: 'warn', busy: 'warn', wrap_up: 'warn', away: 'bad', offline: 'bad' }[state] ?? ''}`;
}

function renderStats(s) {
  if (s.state) {
    desk$.nodeState = s.state;
    showState();
  }
  byTestId('agent-load').textContent = String(s.load ?? 0);
  byTestId('agent-level').textContent = enumLabel(s.level || 'AGENT_LEVEL_UNSPECIFIED', 'AGENT_LEVEL_');
  byTestId('agent-tips').textContent = formatMoney(s.tips ?? 0);
  byTestId('agent-handled').textContent = String(s.handled ?? 0);
  byTestId('agent-resolved').textContent = String(s.resolved ?? 0);
  byTestId('agent-csat').textContent = s.csatAverage ? Number(s.csatAverage).toFixed(2) : '—';
}

// -- offers ---------------------------------------------------------------------------

function addOffer(offer) {
  if (desk$.offers.has(offer.contactId)) removeOffer(offer.contactId);
  const c = offer.customer ?? {};
  const countdown = el('span', { class: 'countdown', testid: 'offer-countdown', 'aria-live': 'off' });
  const node = el('article', { class: 'offer', testid: 'offer', dataset: { contactId: offer.contactId },
                               'aria-label': `Offer: ${offer.intent || 'contact'} from ${c.id || 'a customer'}` },
    el('div', { class: 'row' },
      el('strong', {}, enumLabel(offer.intent || 'contact')),
      el('span', { class: 'pill' }, enumLabel(offer.channel || '', 'CHANNEL_')),
      el('span', { class: 'muted' }, `queue ${offer.queue || '—'}`)),
    el('div', {}, `${c.id || 'customer'} · ${stars(c.tier)} · ARPU ${formatMoney(c.arpu ?? 0)}`,
      (c.segments ?? []).length ? ` · ${c.segments.join(', ')}` : ''),
    el('div', {}, 'Answer within ', countdown),
    offer.decision ? el('details', { class: 'why-details', testid: 'offer-why' },
      el('summary', {}, 'Why me?'), whyMe(offer.decision, desk$.agent, { compact: true })) : null,
    el('div', { class: 'row' },
      el('button', { type: 'button', testid: 'offer-accept', onclick: () => accept(offer) }, 'Accept'),
      el('button', { type: 'button', class: 'secondary', testid: 'offer-decline', onclick: () => decline(offer) }, 'Decline')));
  desk$.offers.set(offer.contactId, { offer, node, countdown });
  offersBox.append(node);
  updateEmptyHints();
  showState();
  tick();
}

function removeOffer(contactId) {
  const o = desk$.offers.get(contactId);
  if (!o) return;
  o.node.remove();
  desk$.offers.delete(contactId);
  updateEmptyHints();
  showState();
}

function tick() {
  const client = desk$.client;
  if (!client) return;
  const now = client.serverNow();
  for (const [id, o] of desk$.offers) {
    const left = Number(o.offer.deadlineMs) - now;
    if (!(left > 0)) {
      removeOffer(id);
      status.info(`The offer for ${id} rang out.`);
      refreshStats();
      continue;
    }
    o.countdown.textContent = `${(left / 1000).toFixed(1)} s`;
    o.countdown.dataset.urgent = String(left < 5000);
  }
}

async function accept(offer) {
  const o = desk$.offers.get(offer.contactId);
  o?.node.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const ok = await guarded(status, () =>
    desk$.client.request('acceptOffer', { contactId: offer.contactId, offerId: offer.offerId }));
  removeOffer(offer.contactId);
  if (ok) {
    openChat(offer);
    refreshStats();
  }
}

async function decline(offer) {
  removeOffer(offer.contactId);
  await guarded(status, () =>
    desk$.client.request('declineOffer', { contactId: offer.contactId, offerId: offer.offerId }));
  refreshStats();
}

// -- conversations --------------------------------------------------------------------

function stars(tier) {
  const t = Math.max(0, Math.min(5, Number(tier) || 0));
  return `${'★'.repeat(t)}${'☆'.repeat(5 - t)} (tier ${t})`;
}

function riskPill(x, label) {
  const n = Number(x) || 0;
  const cls = n >= 0.7 ? 'bad' : n >= 0.4 ? 'warn' : 'good';
  return el('span', { class: `pill ${cls}` }, `${label} ${formatPercent(n)}`);
}

function profilePanel(offer) {
  const c = offer.customer ?? {};
  const history = (c.history ?? []).slice(-5).reverse();
  const journey = offer.journey ?? [];
  const attached = offer.attached ?? [];
  const d = offer.decision;
  const chosen = d?.candidates?.find((x) => x.agent === d.agent);
  return el('aside', { class: 'stack', testid: 'customer-profile', 'aria-label': 'Customer' },
    el('h3', {}, 'Customer ', el('span', { testid: 'customer-id' }, c.id || '—')),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Tier'), el('dd', { testid: 'customer-tier', dataset: { tier: String(c.tier ?? 0) } }, stars(c.tier)),
      el('dt', {}, 'ARPU'), el('dd', { testid: 'customer-arpu' }, formatMoney(c.arpu ?? 0)),
      el('dt', {}, 'Segments'), el('dd', { testid: 'customer-segments' }, (c.segments ?? []).join(', ') || '—'),
      el('dt', {}, 'Risk'), el('dd', { testid: 'customer-risk' },
        riskPill(c.complaintRisk, 'complaint'), ' ', riskPill(c.churnRisk, 'churn')),
      el('dt', {}, 'Language'), el('dd', {}, c.language || offer.language || '—'),
      el('dt', {}, 'Region'), el('dd', {}, c.region || '—'),
      c.accountManager ? [el('dt', {}, 'Account manager'), el('dd', {}, c.accountManager)] : null,
      c.lastAgent ? [el('dt', {}, 'Last agent'), el('dd', {}, c.lastAgent)] : null,
      (c.purchaseIntents ?? []).length ? [el('dt', {}, 'Interested in'), el('dd', {}, c.purchaseIntents.join(', '))] : null),
    el('h3', {}, 'This contact'),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Intent'), el('dd', { testid: 'contact-intent' }, enumLabel(offer.intent) || '—'),
      el('dt', {}, 'Queue'), el('dd', {}, offer.queue || '—'),
      d ? [el('dt', {}, 'Routed by'), el('dd', { testid: 'contact-decision' },
        enumLabel(d.policy || '', 'ROUTING_POLICY_'),
        chosen?.terms?.total !== undefined ? ` · score ${Number(chosen.terms.total).toFixed(2)}` : '',
        d.overflowStep ? ` · overflow step ${d.overflowStep}` : '')] : null),
    el('h3', {}, 'Why you'),
    el('div', { testid: 'why-me-box' },
      d ? whyMe(d, desk$.agent) : whyMissing('Asking the node why this contact came to you…')),
    el('h3', {}, 'Journey'),
    journey.length
      ? el('ol', { testid: 'customer-journey' }, journey.map((j) => el('li', {}, j)))
      : el('p', { class: 'muted', testid: 'customer-journey' }, 'No steps before this contact.'),
    el('h3', {}, 'Attached data'),
    attached.length
      ? el('dl', { class: 'kv', testid: 'customer-attached' },
        attached.map((a) => [el('dt', {}, a.key), el('dd', { dataset: { key: a.key } }, a.value)]))
      : el('p', { class: 'muted', testid: 'customer-attached' }, 'None.'),
    history.length ? [el('h3', {}, 'Recent contacts'),
      el('ul', { testid: 'customer-history' }, history.map((h) => el('li', {},
        `${h.atMs ? new Date(Number(h.atMs)).toLocaleDateString() : ''} ${enumLabel(h.channel || '', 'CHANNEL_')} `
        + `${enumLabel(h.intent)} ${h.resolved ? '(resolved)' : '(not resolved)'}`)))] : null);
}

function wrapUpForm(chat) {
  const id = chat.contactId;
  const amount = el('input', { type: 'number', name: 'saleAmount', min: '0', step: '0.01', value: '0',
                               disabled: true, testid: 'wrapup-amount' });
  const sale = el('input', { type: 'checkbox', name: 'sale', testid: 'wrapup-sale',
                             onchange: () => { amount.disabled = !sale.checked; } });
  const form = el('form', { class: 'stack', testid: 'wrapup-form', 'aria-label': `Wrap-up of ${id}` },
    el('h3', {}, 'Wrap-up'),
    el('div', { class: 'row' },
      el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'resolved', testid: 'wrapup-resolved' }), 'Resolved'),
      el('label', { class: 'inline' }, sale, 'Sale'),
      el('label', {}, 'Amount', amount),
      el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'complaint', testid: 'wrapup-complaint' }), 'Complaint')),
    el('div', { class: 'row' },
      el('label', {}, 'CSAT (if the customer said)',
        el('select', { name: 'csat', testid: 'wrapup-csat' },
          el('option', { value: '0' }, 'not rated'),
          [1, 2, 3, 4, 5].map((n) => el('option', { value: String(n) }, String(n))))),
      el('label', {}, 'Disposition',
        el('select', { name: 'disposition', testid: 'wrapup-disposition' },
          ['answered', 'fixed', 'sold', 'follow_up', 'escalated', 'wrong_queue', 'no_response']
            .map((d) => el('option', { value: d }, enumLabel(d)))))),
    el('label', {}, 'Notes', el('textarea', { name: 'notes', rows: 2, testid: 'wrapup-notes' })),
    el('div', { class: 'row' },
      el('button', { type: 'submit', testid: 'wrapup-submit' }, 'Complete')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = form.elements;
    complete(chat, {
      resolved: f.resolved.checked,
      sale: f.sale.checked,
      saleAmount: f.sale.checked ? Number(f.saleAmount.value) || 0 : 0,
      csat: Number(f.csat.value) || 0,
      complaint: f.complaint.checked,
      disposition: f.disposition.value,
      notes: f.notes.value.trim(),
    });
  });
  return form;
}

function openChat(offer, { redraw: fresh = true } = {}) {
  const contactId = offer.contactId;
  if (desk$.chats.has(contactId)) {
    selectChat(contactId);
    return;
  }
  const chat = { contactId, offer, ended: false, unread: 0, connectedAt: Date.now(), seen: new Set() };
  const tabId = `tab-${contactId}`;
  const panelId = `panel-${contactId}`;
  chat.badge = el('span', { class: 'badge', testid: 'chat-unread', hidden: true });
  chat.tab = el('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': 'false',
                            testid: 'chat-tab', dataset: { contactId }, onclick: () => selectChat(contactId) },
    `${offer.customer?.id || contactId} · ${enumLabel(offer.intent) || 'chat'}`, chat.badge);
  chat.transcript = el('ol', { class: 'transcript', testid: 'agent-transcript', 'aria-label': 'Conversation', 'aria-live': 'polite' });
  chat.input = el('input', { type: 'text', testid: 'agent-input', autocomplete: 'off', placeholder: 'Reply…',
                             'aria-label': 'Message to the customer' });
  chat.send = el('button', { type: 'submit', testid: 'agent-send' }, 'Send');
  chat.endButton = el('button', { type: 'button', class: 'secondary', testid: 'agent-end-chat', onclick: () => endChat(chat) }, 'End chat');
  chat.state = el('span', { class: 'pill good', testid: 'chat-state' }, 'connected');
  const composer = el('form', { class: 'composer', testid: 'agent-composer' }, chat.input, chat.send);
  composer.addEventListener('submit', (ev) => { ev.preventDefault(); sendLine(chat); });
  chat.panel = el('section', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, testid: 'chat-panel',
                               dataset: { contactId }, hidden: true },
    el('div', { class: 'chat-grid' },
      el('div', { class: 'stack' },
        el('div', { class: 'row' }, el('strong', {}, contactId), chat.state, chat.endButton),
        chat.transcript, composer, wrapUpForm(chat)),
      profilePanel(offer)));
  desk$.chats.set(contactId, chat);
  tabs.append(chat.tab);
  panels.append(chat.panel);
  if (fresh) redraw(chat, {});
  selectChat(contactId);
  updateEmptyHints();
}

function selectChat(contactId) {
  desk$.selected = contactId;
  for (const [id, chat] of desk$.chats) {
    const on = id === contactId;
    chat.tab.setAttribute('aria-selected', String(on));
    chat.tab.tabIndex = on ? 0 : -1;
    chat.panel.hidden = !on;
    if (on) {
      chat.unread = 0;
      chat.badge.hidden = true;
      if (!chat.ended) chat.input.focus();
    }
  }
}

/// Appends a line; `opts.id` and `opts.pending` as on the customer page.
function addLine(chat, from, text, atMs, { id = '', pending = false } = {}) {
  const who = { customer: chat.offer.customer?.id || 'Customer', agent: 'You' }[from];
  const li = el('li', { class: from, testid: `line-${from}`, dataset: { msgId: id || undefined, pending: pending ? 'true' : undefined } },
    who ? el('span', { class: 'who' }, who) : null, text,
    pending ? el('span', { class: 'note', testid: 'line-pending' }, ' (sending…)') : null);
  if (atMs) li.title = new Date(Number(atMs)).toLocaleTimeString();
  chat.transcript.append(li);
  chat.transcript.scrollTop = chat.transcript.scrollHeight;
  if (from !== 'agent' && desk$.selected !== chat.contactId) {
    chat.unread += 1;
    chat.badge.textContent = String(chat.unread);
    chat.badge.hidden = false;
  }
}

/// Queues the agent's line and sends what waits: during a reconnect it stays in the
/// outbox and goes after the resume, with the same client_msg_id (delivered once).
function sendLine(chat) {
  const text = chat.input.value.trim();
  if (!text || chat.ended) return;
  if (desk$.outbox.length >= OUTBOX_MAX) {
    status.error({ code: 'RATE_LIMITED', words: 'Too many messages are waiting to be sent. Please wait for the connection.' });
    return;
  }
  chat.input.value = '';
  const id = `${desk$.agent}-${Date.now().toString(36)}-${desk$.nextMsg++}`;
  desk$.outbox.push({ chat, id, text });
  addLine(chat, 'agent', text, 0, { id, pending: true });
  flush();
}

function lineState(chat, id, failure) {
  const li = chat.transcript.querySelector(`li[data-msg-id="${CSS.escape(id)}"]`);
  if (!li) return;
  const note = li.querySelector('[data-testid="line-pending"]');
  if (failure) {
    li.dataset.pending = 'failed';
    if (note) note.textContent = ` (not delivered: ${errorWords(failure.code, 'agent')})`;
  } else {
    delete li.dataset.pending;
    note?.remove();
  }
}

async function flush() {
  if (desk$.flushing) return;
  desk$.flushing = true;
  try {
    while (desk$.outbox.length && desk$.client?.state === 'open') {
      const m = desk$.outbox[0];
      try {
        const body = { contactId: m.chat.contactId, text: m.text };
        if (FEATURES.clientMsgId) body.clientMsgId = m.id;
        await desk$.client.request('agentMessage', body);
        lineState(m.chat, m.id);
      } catch (err) {
        if (err.code === 'DISCONNECTED') break; // kept; sent again after the resume
        if (err.code === 'TIMEOUT' || err.code === 'RATE_LIMITED') {
          await new Promise((ok) => { setTimeout(ok, 1000); });
          continue; // same id again
        }
        lineState(m.chat, m.id, err);
        status.error(err);
      }
      desk$.outbox.shift();
    }
  } finally {
    desk$.flushing = false;
  }
}

function lineKey(line) {
  return `${line.from}\u0000${line.atMs ?? ''}\u0000${line.text}`;
}

function onChatLine(line) {
  const chat = desk$.chats.get(line.contactId);
  if (!chat || line.from === 'agent') return;
  const key = lineKey(line);
  if (chat.seen.has(key)) return;
  chat.seen.add(key);
  addLine(chat, line.from || 'customer', line.text, line.atMs);
}

/// The contacts the node says this agent holds (Welcome.contacts, each a
/// ResumedContact with its transcript): each gets its conversation back, redrawn from
/// the transcript, so a reload never leaves "busy" without a conversation.
function syncContacts(contacts) {
  for (const rc of contacts ?? []) {
    const offer = {
      contactId: rc.contactId, queue: rc.queue, channel: rc.channel, intent: rc.intent,
      customer: rc.customer, journey: rc.journey, attached: rc.attached,
    };
    let chat = desk$.chats.get(rc.contactId);
    if (!chat) {
      openChat(offer, { redraw: false });
      chat = desk$.chats.get(rc.contactId);
      loadDecision(chat);
    }
    redraw(chat, rc);
    if (rc.state === 'CONTACT_STATE_WRAP_UP' && !chat.ended) markEnded(chat, 'wrap-up');
  }
}

/// A conversation taken up again has no Offer: its "why me" is asked for by
/// contact id (GetDecision answers an agent only about its own offers).
async function loadDecision(chat) {
  const box = byTestId('why-me-box', chat.panel);
  if (!FEATURES.getDecision) {
    box.replaceChildren(whyMissing('This node cannot say why the contact came to you.'));
    return;
  }
  try {
    const r = await desk$.client.request('getDecision', { contactId: chat.contactId });
    const last = (r.decisions ?? []).at(-1);
    if (!last) {
      box.replaceChildren(whyMissing('The node kept no routing decision for this contact.'));
      return;
    }
    chat.offer.decision = last;
    box.replaceChildren(whyMe(last, desk$.agent, { source: 'fetched' }));
  } catch (err) {
    box.replaceChildren(whyMissing(`Why this contact came to you is not available: ${errorWords(err.code, 'agent')}`));
  }
}

function redraw(chat, rc) {
  chat.transcript.replaceChildren();
  chat.seen.clear();
  const question = (rc.attached ?? chat.offer.attached ?? []).find((a) => a.key === 'question')?.value;
  addLine(chat, 'system', `Connected${chat.offer.queue ? ` from queue ${chat.offer.queue}` : ''}.`);
  if (question) addLine(chat, 'customer', question);
  const ids = new Set();
  for (const line of rc.transcript ?? []) {
    if (line.clientMsgId) ids.add(line.clientMsgId);
    chat.seen.add(lineKey(line));
    addLine(chat, line.from || 'customer', line.text, line.atMs, { id: line.clientMsgId });
  }
  for (const m of desk$.outbox) {
    if (m.chat === chat && !ids.has(m.id)) addLine(chat, 'agent', m.text, 0, { id: m.id, pending: true });
  }
  chat.unread = 0;
  chat.badge.hidden = true;
}

function markEnded(chat, text = 'ended') {
  chat.ended = true;
  chat.input.disabled = true;
  chat.send.disabled = true;
  chat.endButton.disabled = true;
  chat.state.textContent = text;
  chat.state.className = 'pill warn';
}

function onAgentUpdate(u) {
  if (!u.contactId) {
    // About the agent itself: ring-no-answer set it away.
    if (u.event === 'agent_away') {
      desk$.wantAvailable = false;
      desk$.nodeState = 'away';
      showState();
      status.info(agentEventWords(u.event, u.detail));
    }
    return;
  }
  // Whatever happened to one of its contacts may change the agent's state.
  refreshStats();
  if (desk$.offers.has(u.contactId)) {
    removeOffer(u.contactId);
    status.info(`Offer for ${u.contactId}: ${agentEventWords(u.event || 'offer_cancelled', u.detail)}`);
  }
  const chat = desk$.chats.get(u.contactId);
  if (!chat) return;
  const s = u.state || '';
  // The customer's rating travels in the detail ("customer_rated csat=5"): show it
  // and carry it into the wrap-up form.
  const csat = /csat=([1-5])/.exec(u.detail || '')?.[1];
  if (csat) {
    addLine(chat, 'system', `The customer rated the service ${csat} out of 5.`);
    const select = chat.panel.querySelector('[data-testid="wrapup-csat"]');
    if (select.value === '0') select.value = csat;
  }
  if (s === 'CONTACT_STATE_WRAP_UP' || s === 'CONTACT_STATE_ABANDONED') {
    // The agent's own WrapUp{} produces this update too, possibly before its Ack.
    if (!chat.ended && !chat.ending) {
      addLine(chat, 'system', 'The customer left. Please wrap up.');
      markEnded(chat, 'customer left');
    }
  } else if (s === 'CONTACT_STATE_COMPLETED' || s === 'CONTACT_STATE_FAILED' || s === 'CONTACT_STATE_TRANSFERRED') {
    addLine(chat, 'system', {
      CONTACT_STATE_COMPLETED: 'The conversation was completed.',
      CONTACT_STATE_FAILED: 'The conversation could not go on.',
      CONTACT_STATE_TRANSFERRED: 'The customer was transferred.',
    }[s]);
    markEnded(chat, enumLabel(s, 'CONTACT_STATE_'));
  } else if (u.event) {
    addLine(chat, 'system', agentEventWords(u.event, u.detail));
  }
}

async function endChat(chat) {
  chat.ending = true;
  const ok = await guarded(status, () => desk$.client.request('wrapUp', { contactId: chat.contactId }));
  chat.ending = false;
  if (ok && !chat.ended) {
    addLine(chat, 'system', 'You ended the chat. Please wrap up.');
    markEnded(chat, 'wrap-up');
    refreshStats();
  }
}

async function complete(chat, outcome) {
  const button = chat.panel.querySelector('[data-testid="wrapup-submit"]');
  button.disabled = true;
  const ok = await guarded(status, () => desk$.client.request('wrapUp', { contactId: chat.contactId, outcome }));
  button.disabled = false;
  if (!ok) return;
  const handle = formatDuration(Date.now() - chat.connectedAt);
  status.info(`${chat.contactId} completed after ${handle}${outcome.resolved ? ', resolved' : ''}.`);
  closeChat(chat.contactId);
  refreshStats();
}

function closeChat(contactId) {
  const chat = desk$.chats.get(contactId);
  if (!chat) return;
  chat.tab.remove();
  chat.panel.remove();
  desk$.chats.delete(contactId);
  if (desk$.selected === contactId) {
    const next = desk$.chats.keys().next();
    if (!next.done) selectChat(next.value);
    else desk$.selected = '';
  }
  updateEmptyHints();
}

const BASE_TITLE = document.title;

function updateEmptyHints() {
  byTestId('agent-no-offers').hidden = desk$.offers.size > 0;
  byTestId('agent-no-chats').hidden = desk$.chats.size > 0;
  // Offers show in the tab title too, for an agent looking at another window.
  const n = desk$.offers.size;
  document.title = n > 0 ? `(${n}) offer${n === 1 ? '' : 's'} — ${BASE_TITLE}` : BASE_TITLE;
}

// Arrow keys move between conversation tabs (WAI-ARIA tabs pattern).
tabs.addEventListener('keydown', (ev) => {
  if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
  const ids = [...desk$.chats.keys()];
  const i = ids.indexOf(desk$.selected);
  if (i < 0) return;
  const next = ids[(i + (ev.key === 'ArrowRight' ? 1 : ids.length - 1)) % ids.length];
  selectChat(next);
  desk$.chats.get(next).tab.focus();
});

prefill();
loginForm.addEventListener('submit', login);
// Reloaded with a session in this tab: log in again and resume it.
const remembered = rememberedLogin();
if (remembered) {
  loginForm.elements.tenant.value = remembered.tenant;
  loginForm.elements.token.value = remembered.token;
  desk$.resumeOnLogin = true;
  loginForm.requestSubmit();
}
byTestId('agent-available').addEventListener('click', () => setAvailability(true));
byTestId('agent-away').addEventListener('click', () => setAvailability(false));
byTestId('agent-logout').addEventListener('click', logout);
status.setState('idle');
updateEmptyHints();

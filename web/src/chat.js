// Customer chat page: opens a CHANNEL_CHAT contact as the tenant's gateway, shows the
// place in line and the estimated wait, relays the conversation, and ends with a
// rating (EndContact.csat). Demo only: a real deployment keeps the API key in a
// gateway service between the customer and the node.
import { SwitchboardClient, SwitchboardError, queryParams } from './client.js';
import { FEATURES } from './protocol.js';
import { StatusBar, byTestId, el, formatDuration, guarded } from './ui.js';
import { chatEndedWords, errorWords } from './words.js';

const q = queryParams();
const status = new StatusBar(byTestId('status-bar'), { audience: 'customer' });
const startForm = byTestId('chat-start-form');
const session = byTestId('chat-session');
const transcript = byTestId('chat-transcript');
const composer = byTestId('chat-composer');
const input = byTestId('chat-input');
const sendButton = byTestId('chat-send');
const endButton = byTestId('chat-end');
const ratingForm = byTestId('chat-rating-form');
const thanks = byTestId('chat-thanks');

/// Where the page keeps its contact across a reload (this tab only).
const STORE_KEY = 'switchboard.chat';
/// Messages typed while the connection is down wait here, in order, at most this many.
const OUTBOX_MAX = 50;

/// What this page knows about its one contact.
const chat = {
  client: null,
  tenant: '',
  apiKey: '',
  contactId: '',
  resumeToken: '',   // from ContactOpened; empty: the node cannot resume (no reconnect)
  opened: false,     // ContactOpened received
  resumed: true,     // the current connection carries the contact (false while resuming)
  state: '',         // last ContactState name
  connected: false,  // an agent joined at some point
  agentName: '',
  ended: false,      // no more messages: the agent or the customer ended it
  endSent: false,    // this page sent EndContact
  completed: false,  // the agent completed it: a rating goes by RateContact
  rated: false,
  question: '',
  outbox: [],        // [{id, text}] customer lines not yet acknowledged, in order
  nextMsg: 1,
  flushing: false,
  seen: new Set(),   // keys of the node's lines on screen (no line twice after a resume)
};

function save() {
  if (!chat.opened || !chat.resumeToken) return;
  const keep = {
    tenant: chat.tenant, apiKey: chat.apiKey, contactId: chat.contactId, resumeToken: chat.resumeToken,
    agentName: chat.agentName, connected: chat.connected, ended: chat.ended, endSent: chat.endSent,
    completed: chat.completed, question: chat.question, outbox: chat.outbox, nextMsg: chat.nextMsg,
  };
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(keep));
  } catch {
    // Storage full or disabled: the chat goes on, only a reload loses it.
  }
}

function forget() {
  try {
    sessionStorage.removeItem(STORE_KEY);
  } catch {
    // Nothing kept.
  }
}

function stored() {
  try {
    const v = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
    return v && v.contactId && v.resumeToken && v.tenant ? v : null;
  } catch {
    return null;
  }
}

function prefill() {
  startForm.elements.tenant.value = q.tenant ?? 'demo';
  startForm.elements.key.value = q.key ?? '';
  startForm.elements.customer.value = q.customer ?? `cust-${1 + Math.floor(Math.random() * 300)}`;
  startForm.elements.name.value = q.name ?? '';
  if (q.question) startForm.elements.question.value = q.question;
  if (q.intent) {
    const intent = startForm.elements.intent;
    if (![...intent.options].some((o) => o.value === q.intent)) {
      intent.append(el('option', { value: q.intent, dataset: { queue: q.queue ?? '' } }, q.intent));
    }
    intent.value = q.intent;
  }
  // Credentials from the link: keep the connection details folded away.
  byTestId('chat-connection').open = !(q.tenant && q.key);
}

/// Profile hints the page was given in its link (`tier`, `arpu`, `segments`, ...).
function customerHints() {
  const h = {};
  if (q.tier) h.tier = Number(q.tier);
  if (q.arpu) h.arpu = Number(q.arpu);
  if (q.segments) h.segments = q.segments.split(',').filter(Boolean);
  if (q.region) h.region = q.region;
  if (q.risk) h.complaintRisk = Number(q.risk);
  if (q.intents) h.purchaseIntents = q.intents.split(',').filter(Boolean);
  return Object.keys(h).length ? h : undefined;
}

/// Appends a line. `opts.id`: the client_msg_id of one of the customer's own lines;
/// `opts.pending`: not yet acknowledged by the node.
function addLine(from, text, atMs, { id = '', pending = false } = {}) {
  const who = from === 'customer' ? 'You' : from === 'agent' ? (chat.agentName || 'Agent') : '';
  const li = el('li', { class: from, testid: `line-${from}`, dataset: { msgId: id || undefined, pending: pending ? 'true' : undefined } },
    who ? el('span', { class: 'who' }, who) : null, text,
    pending ? el('span', { class: 'note', testid: 'line-pending' }, ' (sending…)') : null);
  if (atMs) li.title = new Date(Number(atMs)).toLocaleTimeString();
  transcript.append(li);
  transcript.scrollTop = transcript.scrollHeight;
  return li;
}

function lineKey(line) {
  return `${line.from}\u0000${line.atMs ?? ''}\u0000${line.text}`;
}

/// A line pushed by the node (or from a resumed transcript), shown once.
function addNodeLine(line) {
  const key = lineKey(line);
  if (chat.seen.has(key)) return;
  chat.seen.add(key);
  addLine(line.from || 'agent', line.text, line.atMs, { id: line.clientMsgId });
}

function markDelivered(id) {
  const li = transcript.querySelector(`li[data-msg-id="${CSS.escape(id)}"]`);
  if (!li) return;
  delete li.dataset.pending;
  li.querySelector('[data-testid="line-pending"]')?.remove();
}

function markFailed(id, err) {
  const li = transcript.querySelector(`li[data-msg-id="${CSS.escape(id)}"]`);
  if (!li) return;
  li.dataset.pending = 'failed';
  const note = li.querySelector('[data-testid="line-pending"]');
  if (note) note.textContent = ` (not delivered: ${errorWords(err.code, 'customer')})`;
}

function setComposer(enabled) {
  input.disabled = !enabled;
  sendButton.disabled = !enabled;
  if (enabled) input.focus();
}

function showWait(position, ewtMs) {
  const posBox = byTestId('chat-position-box');
  const ewtBox = byTestId('chat-ewt-box');
  const pos = Number(position);
  posBox.hidden = !(pos >= 0);
  if (pos >= 0) byTestId('chat-position').textContent = String(pos + 1);
  const ewt = Number(ewtMs);
  ewtBox.hidden = !(pos >= 0 && Number.isFinite(ewt) && ewt >= 0);
  if (!ewtBox.hidden) byTestId('chat-ewt').textContent = ewt < 1000 ? 'under a second' : formatDuration(ewt);
}

function setStateText(text) {
  byTestId('chat-state').textContent = text;
}

/// A ContactUpdate, or the state part of a ResumedContact (`quiet`: no "joined" or
/// "ended" lines, the redrawn transcript already says what happened).
function onUpdate(u, { quiet = false } = {}) {
  if (u.contactId !== chat.contactId || !thanks.hidden) return;
  const s = u.state || '';
  chat.state = s;
  byTestId('chat-wait').dataset.state = s;
  switch (s) {
    case 'CONTACT_STATE_NEW':
    case 'CONTACT_STATE_QUEUED':
    case 'CONTACT_STATE_OFFERED':
    case 'CONTACT_STATE_TRANSFERRED':
      if (!chat.ended) {
        setStateText(chat.connected ? 'Transferring you to a colleague…' : 'Waiting for an agent');
        showWait(u.position ?? 0, u.estimatedWaitMs ?? 0); // proto3 JSON leaves out zeros
      }
      break;
    case 'CONTACT_STATE_CONNECTED':
      showWait(-1);
      if (!chat.connected || (u.agentName && u.agentName !== chat.agentName)) {
        chat.agentName = u.agentName || u.agent || 'An agent';
        if (!quiet) addLine('system', `${chat.agentName} joined the chat`);
      }
      chat.connected = true;
      setStateText(`Chatting with ${chat.agentName}`);
      if (!chat.ended) setComposer(true);
      save();
      break;
    case 'CONTACT_STATE_WRAP_UP':
    case 'CONTACT_STATE_COMPLETED':
      showWait(-1);
      if (u.agentName) chat.agentName = u.agentName;
      chat.connected = true;
      if (s === 'CONTACT_STATE_COMPLETED') chat.completed = true;
      if (!chat.ended) {
        if (!quiet) addLine('system', `${chat.agentName || 'The agent'} ended the chat`);
        endConversation();
      }
      save();
      break;
    case 'CONTACT_STATE_ABANDONED':
    case 'CONTACT_STATE_FAILED':
      showWait(-1);
      if (!chat.rated) finish(chatEndedWords(u.detail));
      break;
    default:
      break;
  }
}

/// The conversation is over: no more messages; ask for a rating (once an agent served).
function endConversation() {
  chat.ended = true;
  setComposer(false);
  endButton.disabled = true;
  setStateText('Chat ended');
  if (chat.connected) {
    ratingForm.hidden = false;
    ratingForm.querySelector('input[name="csat"]').focus();
  }
  save();
}

function finish(text) {
  chat.ended = true;
  session.hidden = true;
  ratingForm.hidden = true;
  byTestId('chat-thanks-text').textContent = text;
  thanks.hidden = false;
  // The form the customer was in is gone: focus the thanks, which a screen reader reads.
  byTestId('chat-thanks-title').focus();
  forget();
  chat.client?.close();
}

function makeClient() {
  const client = new SwitchboardClient({
    // Reconnect only once the node gave a resume token (ContactOpened.resumeToken).
    reconnect: false,
    hello: () => ({ role: 'ROLE_GATEWAY', tenant: chat.tenant, apiKey: chat.apiKey }),
  });
  client.on('state', (s) => {
    status.setState(s === 'closed' && chat.ended ? 'ended' : s);
    if (s === 'reconnecting' && chat.opened) {
      chat.resumed = false;
      status.info('Connection lost — reconnecting… Your messages will be sent once we are back.');
    }
  });
  client.on('error', (e) => status.error(e));
  client.on('welcome', () => {
    if (chat.opened) resume();
  });
  client.on('contactUpdate', (u) => onUpdate(u));
  client.on('chatLine', (line) => {
    if (line.contactId === chat.contactId && line.from !== 'customer') addNodeLine(line);
  });
  client.on('close', () => {
    if (!chat.ended) {
      setComposer(false);
      status.info('Connection lost — start a new chat.');
      forget();
    }
  });
  return client;
}

/// Asks the node for the contact on this (new) connection: its state, place in line
/// and the transcript so far, which replaces what is on screen. Then sends what waited.
async function resume() {
  const client = chat.client;
  let r;
  try {
    r = await client.request('resumeContact', { contactId: chat.contactId, resumeToken: chat.resumeToken });
  } catch (err) {
    if (err.code === 'DISCONNECTED' || err.code === 'TIMEOUT') return; // the next Welcome tries again
    status.error(err);
    if (err.code === 'UNKNOWN_CONTACT' || err.code === 'UNAUTHENTICATED' || err.code === 'PERMISSION_DENIED') {
      finish(errorWords(err.code, 'customer'));
    }
    return;
  }
  if (client !== chat.client) return;
  redraw(r);
  chat.resumed = true;
  status.info('');
  startForm.hidden = true;
  session.hidden = false;
  onUpdate({ ...r, contactId: chat.contactId }, { quiet: true });
  flush();
}

/// Draws the transcript from a ResumedContact: the question, every line the node
/// journaled, then the customer's lines still waiting to be sent.
function redraw(r) {
  transcript.replaceChildren();
  chat.seen.clear();
  if (r.agentName) chat.agentName = r.agentName;
  const question = (r.attached ?? []).find((a) => a.key === 'question')?.value || chat.question;
  if (question) addLine('customer', question);
  const ids = new Set();
  for (const line of r.transcript ?? []) {
    addNodeLine(line);
    if (line.clientMsgId) ids.add(line.clientMsgId);
  }
  if (chat.connected || r.state === 'CONTACT_STATE_CONNECTED') {
    addLine('system', `${r.agentName || chat.agentName || 'An agent'} is with you`);
  }
  for (const m of chat.outbox) if (!ids.has(m.id)) addLine('customer', m.text, 0, { id: m.id, pending: true });
}

/// Sends the waiting customer lines in order, each with its client_msg_id; a line
/// whose reply was lost is sent again with the same id (the node keeps it once).
async function flush() {
  if (chat.flushing) return;
  chat.flushing = true;
  try {
    while (chat.outbox.length && chat.resumed && chat.client?.state === 'open') {
      const m = chat.outbox[0];
      try {
        const body = { contactId: chat.contactId, text: m.text };
        if (FEATURES.clientMsgId) body.clientMsgId = m.id;
        await chat.client.request('customerMessage', body);
        markDelivered(m.id);
      } catch (err) {
        if (err.code === 'DISCONNECTED') break; // kept; sent again after the resume
        if (err.code === 'TIMEOUT' || err.code === 'RATE_LIMITED') {
          await new Promise((ok) => { setTimeout(ok, 1000); });
          continue; // same id again
        }
        markFailed(m.id, err);
        status.error(err);
      }
      chat.outbox.shift();
      save();
    }
  } finally {
    chat.flushing = false;
  }
}

async function start(ev) {
  ev.preventDefault();
  const f = startForm.elements;
  chat.tenant = f.tenant.value.trim();
  chat.apiKey = f.key.value;
  const intentOption = f.intent.selectedOptions[0];
  const queue = q.queue || intentOption?.dataset.queue || '';
  const question = f.question.value.trim();
  startForm.querySelector('button[type="submit"]').disabled = true;
  const client = makeClient();
  chat.client = client;
  chat.contactId = `chat-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const opened = await guarded(status, async () => {
    await client.connect();
    const label = intentOption?.textContent.trim() ?? f.intent.value;
    const attached = [{ key: 'entry_page', value: document.referrer || window.location.pathname }];
    if (question) attached.push({ key: 'question', value: question });
    if (navigator.language) attached.push({ key: 'browser_language', value: navigator.language });
    return client.request('openContact', {
      contactId: chat.contactId,
      customerId: f.customer.value.trim(),
      channel: 'CHANNEL_CHAT',
      media: ['text'],
      intent: f.intent.value,
      language: q.lang ?? 'en',
      queue,
      attached,
      journey: ['web: help centre', `bot: topic "${label}"`, 'bot: handed over to an agent'],
      customer: customerHints(),
      displayName: f.name.value.trim(),
    });
  });
  if (!opened) {
    client.close();
    startForm.querySelector('button[type="submit"]').disabled = false;
    return;
  }
  chat.opened = true;
  chat.question = question;
  chat.resumeToken = FEATURES.resumeContact ? opened.resumeToken || '' : '';
  client.reconnect = Boolean(chat.resumeToken);
  save();
  startForm.hidden = true;
  session.hidden = false;
  session.dataset.contactId = chat.contactId;
  if (!chat.state) setStateText('Waiting for an agent');
  if (question) addLine('customer', question);
}

/// After a reload: the contact this tab had, resumed on a new connection.
async function restore(saved) {
  Object.assign(chat, {
    tenant: saved.tenant, apiKey: saved.apiKey ?? '', contactId: saved.contactId, resumeToken: saved.resumeToken,
    agentName: saved.agentName ?? '', connected: Boolean(saved.connected), endSent: Boolean(saved.endSent),
    completed: Boolean(saved.completed), question: saved.question ?? '',
    outbox: Array.isArray(saved.outbox) ? saved.outbox.slice(0, OUTBOX_MAX) : [], nextMsg: Number(saved.nextMsg) || 1,
    opened: true, resumed: false,
  });
  startForm.hidden = true;
  session.hidden = false;
  session.dataset.contactId = chat.contactId;
  setStateText('Reconnecting…');
  if (saved.ended) endConversation();
  const client = makeClient();
  client.reconnect = true;
  chat.client = client;
  // The first Welcome sends ResumeContact; a connection that fails is retried with
  // backoff; a refused Hello ends it in plain words.
  try {
    await client.reopen();
  } catch (err) {
    if (err.code === 'DISCONNECTED' || err.code === 'TIMEOUT') return;
    status.error(err);
    finish(errorWords(err.code, 'customer'));
  }
}

function send(ev) {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text || chat.ended) return;
  if (chat.outbox.length >= OUTBOX_MAX) {
    status.error({ code: 'RATE_LIMITED', words: 'Too many messages are waiting to be sent. Please wait until we are back.' });
    return;
  }
  input.value = '';
  const id = `${chat.contactId}-m${chat.nextMsg++}`;
  chat.outbox.push({ id, text });
  addLine('customer', text, 0, { id, pending: true });
  save();
  flush();
  input.focus();
}

async function leave() {
  // An explicit end, while waiting or chatting; closing the page is not one (the
  // node's customer grace period decides then).
  const wasConnected = chat.connected;
  const ok = await guarded(status, () =>
    chat.client.request('endContact', { contactId: chat.contactId, reason: 'customer_left' }));
  if (!ok) return;
  chat.endSent = true;
  if (wasConnected) {
    addLine('system', 'You ended the chat');
    endConversation();
    return;
  }
  finish('You left the line. Come back any time.');
}

/// Sends the rating: with EndContact while the contact is live (connected or in
/// wrap-up), by RateContact once the agent completed it (within the node's rating
/// window); a rating of 0 (skip) sends nothing more once the chat ended.
async function rate(csat) {
  ratingForm.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const ok = await guarded(status, async () => {
    if (!csat) {
      if (!chat.endSent && !chat.completed) {
        await chat.client.request('endContact', { contactId: chat.contactId, reason: 'customer_left' });
      }
      return true;
    }
    if (!chat.completed) {
      try {
        return await chat.client.request('endContact', { contactId: chat.contactId, reason: 'customer_rated', csat });
      } catch (err) {
        if (err.code !== 'UNKNOWN_CONTACT') throw err; // completed in the meantime
      }
    }
    if (!FEATURES.rateContact) throw new SwitchboardError('UNKNOWN_CONTACT', 'the chat was completed');
    return chat.client.request('rateContact', { contactId: chat.contactId, csat });
  });
  ratingForm.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  if (ok) {
    chat.rated = true;
    finish(csat ? `Thanks for rating us ${csat} out of 5.` : 'Your chat has ended.');
  }
}

prefill();
startForm.addEventListener('submit', start);
composer.addEventListener('submit', send);
endButton.addEventListener('click', leave);
ratingForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = ratingForm.elements.csat.value;
  if (!v) {
    status.error({ code: 'INVALID_ARGUMENT', words: 'Pick a rating from 1 to 5, or skip.' });
    return;
  }
  rate(Number(v));
});
byTestId('chat-rate-skip').addEventListener('click', () => rate(0));
status.setState('idle');
const saved = stored();
if (saved) restore(saved);

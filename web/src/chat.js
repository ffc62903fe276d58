// Customer chat page: opens a CHANNEL_CHAT contact as the tenant's gateway, shows the
// place in line and the estimated wait, relays the conversation, and ends with a
// rating (EndContact.csat). Demo only: a real deployment keeps the API key in a
// gateway service between the customer and the node.
import { SwitchboardClient, queryParams } from './client.js';
import { StatusBar, byTestId, el, formatDuration, guarded } from './ui.js';
import { chatEndedWords } from './words.js';

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

/// What this page knows about its one contact.
const chat = {
  client: null,
  contactId: '',
  state: '',         // last ContactState name
  connected: false,  // an agent joined at some point
  agentName: '',
  ended: false,      // no more messages: the agent or the customer ended it
  rated: false,
};

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

function addLine(from, text, atMs) {
  const who = from === 'customer' ? 'You' : from === 'agent' ? (chat.agentName || 'Agent') : '';
  const li = el('li', { class: from, testid: `line-${from}` },
    who ? el('span', { class: 'who' }, who) : null, text);
  if (atMs) li.title = new Date(Number(atMs)).toLocaleTimeString();
  transcript.append(li);
  transcript.scrollTop = transcript.scrollHeight;
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

function onUpdate(u) {
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
        addLine('system', `${chat.agentName} joined the chat`);
      }
      chat.connected = true;
      setStateText(`Chatting with ${chat.agentName}`);
      if (!chat.ended) setComposer(true);
      break;
    case 'CONTACT_STATE_WRAP_UP':
    case 'CONTACT_STATE_COMPLETED':
      showWait(-1);
      if (!chat.ended) {
        addLine('system', `${chat.agentName || 'The agent'} ended the chat`);
        endConversation();
      }
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
}

function finish(text) {
  chat.ended = true;
  session.hidden = true;
  ratingForm.hidden = true;
  byTestId('chat-thanks-text').textContent = text;
  thanks.hidden = false;
  // The form the customer was in is gone: focus the thanks, which a screen reader reads.
  byTestId('chat-thanks-title').focus();
  chat.client?.close();
}

async function start(ev) {
  ev.preventDefault();
  const f = startForm.elements;
  const tenant = f.tenant.value.trim();
  const apiKey = f.key.value;
  const intentOption = f.intent.selectedOptions[0];
  const queue = q.queue || intentOption?.dataset.queue || '';
  const question = f.question.value.trim();
  startForm.querySelector('button[type="submit"]').disabled = true;
  const client = new SwitchboardClient({ hello: () => ({ role: 'ROLE_GATEWAY', tenant, apiKey }) });
  client.on('state', (s) => status.setState(s === 'closed' && chat.ended ? 'ended' : s));
  client.on('error', (e) => status.error(e));
  client.on('contactUpdate', onUpdate);
  client.on('chatLine', (line) => {
    if (line.contactId === chat.contactId && line.from !== 'customer') addLine(line.from || 'agent', line.text, line.atMs);
  });
  client.on('close', () => {
    if (!chat.ended) {
      setComposer(false);
      status.info('The connection to the service was lost. Please start a new chat.');
    }
  });
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
  startForm.hidden = true;
  session.hidden = false;
  session.dataset.contactId = chat.contactId;
  if (!chat.state) setStateText('Waiting for an agent');
  if (question) addLine('customer', question);
}

async function send(ev) {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text || chat.ended) return;
  input.value = '';
  addLine('customer', text);
  await guarded(status, () => chat.client.request('customerMessage', { contactId: chat.contactId, text }));
  input.focus();
}

async function leave() {
  if (chat.connected) {
    addLine('system', 'You ended the chat');
    endConversation();
    return;
  }
  // Still in line: leave it.
  const ok = await guarded(status, () =>
    chat.client.request('endContact', { contactId: chat.contactId, reason: 'customer_left' }));
  if (ok) finish('You left the line. Come back any time.');
}

async function rate(csat) {
  const reason = chat.state === 'CONTACT_STATE_CONNECTED' ? 'customer_left' : 'customer_rated';
  const body = { contactId: chat.contactId, reason };
  if (csat) body.csat = csat;
  ratingForm.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const ok = await guarded(status, () => chat.client.request('endContact', body));
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

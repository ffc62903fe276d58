// Supervisor wallboard: SubscribeStats, then a live table of queues and agents and two
// charts over time (waiting contacts, service level) of the last N updates.
import { SwitchboardClient, queryParams } from './client.js';
import { LineChart } from './chart.js';
import {
  StatusBar, byTestId, el, enumLabel, formatClock, formatDuration, formatPercent, guarded, setChildren,
} from './ui.js';

const q = queryParams();
const status = new StatusBar(byTestId('status-bar'), { audience: 'supervisor' });
const form = byTestId('wb-form');
const board = byTestId('wb-board');
const maxPoints = Math.max(10, Number(q.points) || 300);

let client = null;
let intervalMs = 1000;
let waitingChart = null;
let slChart = null;

function prefill() {
  form.elements.tenant.value = q.tenant ?? 'demo';
  form.elements.key.value = q.key ?? '';
  if (q.interval) form.elements.interval.value = q.interval;
}

async function connect(ev) {
  ev?.preventDefault();
  const tenant = form.elements.tenant.value.trim();
  const apiKey = form.elements.key.value;
  intervalMs = Math.max(200, Number(form.elements.interval.value) || 1000);
  client?.close();
  const c = new SwitchboardClient({ reconnect: true, hello: () => ({ role: 'ROLE_SUPERVISOR', tenant, apiKey }) });
  client = c;
  c.on('state', (s) => status.setState(s));
  c.on('error', (e) => status.error(e));
  c.on('statsUpdate', render);
  // Every Welcome (the first and after a reconnect) starts a fresh subscription.
  c.on('welcome', () => guarded(status, async () => {
    await c.request('subscribeStats', { intervalMs });
    status.info(`Watching ${tenant}, every ${intervalMs} ms.`);
  }));
  c.on('close', () => {
    if (client === c) status.info('Not watching.');
  });
  const welcome = await guarded(status, () => c.connect());
  if (!welcome) {
    c.close();
    return;
  }
  byTestId('wb-tenant-name').textContent = welcome.tenant || tenant;
  form.hidden = true;
  board.hidden = false;
  waitingChart = new LineChart(byTestId('wb-chart-waiting'), { title: 'Waiting contacts', maxPoints });
  slChart = new LineChart(byTestId('wb-chart-sl'), {
    title: 'Service level', maxPoints, yMax: 1, target: 0.8, format: (v) => formatPercent(v),
  });
}

function num(x) {
  const n = Number(x);
  return Number.isFinite(n) ? n : 0;
}

function td(text, cls = 'num', attrs = {}) {
  return el('td', { class: cls, ...attrs }, text);
}

function byName(a, b, key) {
  return String(a[key]).localeCompare(String(b[key]), undefined, { numeric: true });
}

function render(s) {
  const queues = [...(s.queues ?? [])].sort((a, b) => byName(a, b, 'queue'));
  const agents = [...(s.agents ?? [])].sort((a, b) => byName(a, b, 'agent'));
  // Proto3 JSON leaves out fields at their default: a missing number is 0.
  const available = agents.filter((a) => a.state === 'available').length;
  const loggedIn = agents.filter((a) => a.state && a.state !== 'offline').length;

  byTestId('wb-waiting').textContent = String(num(s.waiting));
  byTestId('wb-service-level').textContent = formatPercent(num(s.serviceLevel));
  byTestId('wb-routed').textContent = String(num(s.routed));
  byTestId('wb-completed').textContent = String(num(s.completed));
  byTestId('wb-abandoned').textContent = String(num(s.abandoned));
  byTestId('wb-agents-ready').textContent = `${available} / ${loggedIn}`;
  byTestId('wb-updated').textContent = formatClock(s.atMs) || new Date().toLocaleTimeString();

  setChildren(byTestId('wb-queues').tBodies[0], queues.map((x) => {
    const sl = num(x.serviceLevel);
    return el('tr', { testid: 'wb-queue-row', dataset: { queue: x.queue } },
      el('th', { scope: 'row' }, x.queue),
      td(String(num(x.waiting)), 'num', { testid: 'wb-queue-waiting' }),
      td(formatDuration(num(x.longestWaitMs))),
      td(formatDuration(num(x.estimatedWaitMs))),
      td(formatPercent(sl), sl < 0.8 ? 'num sl-bad' : 'num', { testid: 'wb-queue-sl' }),
      td(String(num(x.offered))),
      td(String(num(x.answered)), 'num', { testid: 'wb-queue-answered' }),
      td(formatDuration(num(x.asaMs))),
      td(String(num(x.abandoned)), 'num', { testid: 'wb-queue-abandoned' }),
      td(formatPercent(num(x.abandonmentRate), 1)),
      td(`${num(x.agentsReady)} / ${num(x.agentsStaffed)}`, 'num', { testid: 'wb-queue-agents' }));
  }));

  setChildren(byTestId('wb-agents').tBodies[0], agents.map((a) => el('tr', { testid: 'wb-agent-row', dataset: { agent: a.agent, state: a.state || '' } },
    el('th', { scope: 'row' }, a.agent),
    el('td', { testid: 'wb-agent-state' }, enumLabel(a.state || 'offline')),
    td(String(num(a.load)), 'num', { testid: 'wb-agent-load' }),
    td(formatPercent(num(a.occupancy))))));

  const alerts = [...(s.alerts ?? [])].reverse();  // newest first
  byTestId('wb-alerts-raised').textContent = String(num(s.alertsRaised));
  byTestId('wb-alerts-none').hidden = alerts.length > 0;
  byTestId('wb-alerts').hidden = alerts.length === 0;
  setChildren(byTestId('wb-alerts').tBodies[0], alerts.map((a) => el('tr', { testid: 'wb-alert-row', dataset: { contact: a.contactId } },
    el('td', {}, formatClock(a.atMs)),
    el('th', { scope: 'row' }, a.contactId),
    el('td', {}, a.customerId || '—'),
    el('td', {}, a.queue),
    el('td', { testid: 'wb-alert-reasons' }, `risk ${a.reasons}`))));

  const comparisons = [...(s.comparisons ?? [])].sort((a, b) => byName(a, b, 'queue'));
  byTestId('wb-onoff-box').hidden = comparisons.length === 0;
  const points = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
  setChildren(byTestId('wb-onoff').tBodies[0], comparisons.map((c) => el('tr', { testid: 'wb-onoff-row', dataset: { queue: c.queue } },
    el('th', { scope: 'row' }, c.queue),
    el('td', {}, enumLabel(c.baseline || 'ROUTING_POLICY_LONGEST_IDLE', 'ROUTING_POLICY_')),
    td(`${formatPercent(num(c.baselineResolution), 1)} of ${num(c.baselineContacts)}`),
    td(`${formatPercent(num(c.profileResolution), 1)} of ${num(c.profileContacts)}`),
    td(c.enough ? points(num(c.uplift)) : '—', 'num', { testid: 'wb-onoff-uplift' }),
    td(c.enough ? `${points(num(c.upliftLow))} to ${points(num(c.upliftHigh))}` : 'needs 2 slices each', 'num', { testid: 'wb-onoff-interval' }),
    td(`${num(c.baselineSlices)} / ${num(c.profileSlices)}`))));

  const t = num(s.atMs) || Date.now();
  const waiting = { all: num(s.waiting) };
  const sl = { all: num(s.serviceLevel) };
  for (const x of queues) {
    waiting[x.queue] = num(x.waiting);
    sl[x.queue] = num(x.serviceLevel);
  }
  waitingChart?.push(t, waiting);
  slChart?.push(t, sl);
  board.dataset.updates = String(num(board.dataset.updates) + 1);
}

prefill();
form.addEventListener('submit', connect);
status.setState('idle');
// With credentials in the link, start watching at once.
if (q.tenant && q.key) connect();

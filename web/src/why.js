// "Why me": a routing decision as the agent desk shows it (issue 13). The policy
// that chose, this agent's score terms beside the other candidates', and the agents
// passed over with the reason, so an agent can see why the contact came to them.
// Decisions come with an Offer, or by contact id (GetDecision) after a reload.
import { el, enumLabel } from './ui.js';

/// The score terms in the order the engine adds them (engine/scoring.h).
const TERMS = [
  ['skill', 'Skill'], ['affinity', 'Affinity'], ['value', 'Value'],
  ['fairness', 'Fairness'], ['aging', 'Waiting'],
];

/// engine::reject_reason names, in words.
const REASONS = {
  other_tenant: 'another tenant',
  unavailable: 'away or offline',
  no_capacity: 'no free capacity',
  language: 'does not speak the language',
  missing_skill: 'lacks a required skill',
  proficiency: 'proficiency below the minimum',
  crowd_not_admitted: 'crowd agents not admitted yet',
  just_declined: 'just declined or missed it',
};

/// A score term or total as shown: two decimals (proto3 JSON omits zeros).
function score(x) {
  return Number(x ?? 0).toFixed(2);
}

function candidateRow(c, self, terms) {
  const mine = c.agent === self;
  const t = c.terms ?? {};
  return el('tr', { class: mine ? 'self' : undefined, testid: 'why-candidate', 'aria-current': mine ? 'true' : undefined,
                    dataset: { agent: c.agent, self: String(mine) } },
    el('th', { scope: 'row' }, mine ? `You (${c.agent})` : c.agent),
    el('td', { class: 'num', testid: 'why-total' }, score(t.total)),
    terms.map(([k]) => el('td', { class: 'num' }, score(t[k]))));
}

/// The summary sentence: who chose, by which policy, and this agent's place.
function summary(d, self, eligible) {
  const policy = enumLabel(d.policy || '', 'ROUTING_POLICY_') || 'unknown';
  const rank = eligible.findIndex((c) => c.agent === self) + 1;
  const parts = [d.agent === self ? `Offered to you by the ${policy} policy` : `Offered to ${d.agent} by the ${policy} policy`];
  if (rank > 0) parts.push(`your score ranked ${rank} of ${eligible.length} eligible agent${eligible.length === 1 ? '' : 's'}`);
  if (d.agentTriggered) parts.push('you became free and this contact was the best waiting');
  if (Number(d.overflowStep) > 0) parts.push(`overflow step ${d.overflowStep}`);
  return `${parts.join('; ')}.`;
}

/// The explanation of decision `d` for agent `self`; `source`: 'offer' or 'fetched'.
/// `compact` (an offer card, narrow): the totals only, without the terms.
export function whyMe(d, self, { source = 'offer', compact = false } = {}) {
  const terms = compact ? [] : TERMS;
  const candidates = d.candidates ?? [];
  const eligible = candidates.filter((c) => !c.rejected);
  const passed = candidates.filter((c) => c.rejected);
  const at = d.atMs ? new Date(Number(d.atMs)).toLocaleTimeString() : '';
  const table = el('table', { testid: 'why-table' },
    el('caption', {}, `Candidates compared${d.considered ? ` (${d.considered} pairings evaluated)` : ''}${at ? ` at ${at}` : ''}`),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'Agent'), el('th', { scope: 'col', class: 'num' }, 'Score'),
      terms.map(([, label]) => el('th', { scope: 'col', class: 'num' }, label)))),
    el('tbody', {}, eligible.map((c) => candidateRow(c, self, terms))));
  return el('section', { class: 'why stack', testid: 'why-me', dataset: { source, agent: d.agent || '' },
                         'aria-label': compact ? 'Why this offer came to you' : 'Why you got this contact' },
    el('p', { testid: 'why-summary' }, summary(d, self, eligible)),
    // The side panel is narrow: the full table scrolls sideways, in a region the
    // keyboard can reach (a focusable, named scroll container).
    compact ? table
      : el('div', { class: 'why-scroll', tabindex: '0', role: 'region', 'aria-label': 'Candidates and their scores' }, table),
    passed.length
      ? [el('h4', {}, 'Passed over'),
        el('ul', { testid: 'why-rejected' }, passed.map((c) => el('li', { dataset: { agent: c.agent, reason: c.rejected } },
          `${c.agent === self ? `You (${c.agent})` : c.agent}: ${REASONS[c.rejected] ?? enumLabel(c.rejected)}`)))]
      : null);
}

/// What the panel shows when the decision cannot be had (`why`: words).
export function whyMissing(why) {
  return el('p', { class: 'muted', testid: 'why-me', dataset: { source: 'none' } }, why);
}

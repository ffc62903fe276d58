// Plain words for what the node says, in one place for every page. Customers and
// agents read these, never a raw error code; the code stays in the status bar's
// `data-code` (for tests and support) and supervisors see it beside the words.

/// Who reads the words: 'customer' (chat page), 'agent' (desk), 'supervisor' (wallboard).
/// An entry is one sentence for everyone or one per reader (`other` for the rest).
const ERRORS = {
  // Client-side: the socket is gone, or the node did not answer.
  DISCONNECTED: {
    customer: 'We could not reach the service. Check your connection and try again.',
    other: 'Cannot reach the node. Check the connection and try again.',
  },
  TIMEOUT: 'The service did not answer in time. Please try again.',
  MALFORMED_FRAME: 'Something went wrong on this page. Please reload it.',
  UNKNOWN_MESSAGE: 'Something went wrong on this page. Please reload it.',

  // Credentials.
  UNAUTHENTICATED: {
    customer: 'Connection lost — start a new chat.',
    agent: 'Your login was refused. Check the tenant and the token, or ask your supervisor for a new token.',
    supervisor: 'Wrong tenant or API key.',
  },
  TOKEN_EXPIRED: {
    customer: 'Connection lost — start a new chat.',
    other: 'Your login has expired. Ask your supervisor for a new token.',
  },
  UNKNOWN_TENANT: {
    customer: 'Connection lost — start a new chat.',
    other: 'There is no such tenant.',
  },
  PERMISSION_DENIED: 'That is not allowed here.',

  // Load and limits.
  RATE_LIMITED: 'Slow down a little — that was not sent. Try again in a moment.',
  FRAME_TOO_LARGE: 'That message is too long.',
  TOO_MANY_CONNECTIONS: 'The service is very busy right now. Please try again in a minute.',
  SLOW_CONSUMER: 'The connection fell behind. Reconnecting…',
  SHUTTING_DOWN: 'The service is restarting. Reconnecting…',
  STORAGE_FAILURE: 'The service could not save that. Please try again in a moment.',
  QUEUE_FULL: {
    customer: 'All our agents are busy and the line is full. Please try again a little later.',
    other: 'The queue is full.',
  },

  // Contacts and conversations.
  UNKNOWN_CONTACT: {
    customer: 'This chat has ended.',
    agent: 'This conversation has ended.',
    supervisor: 'There is no such contact.',
  },
  NOT_CONNECTED: {
    customer: 'No agent is with you right now, so that message did not reach anyone.',
    agent: 'The customer is not connected right now, so that message did not reach them.',
    supervisor: 'The contact has no connected agent.',
  },
  DUPLICATE_ID: { customer: 'This chat is already open.', other: 'That id is already in use.' },
  INVALID_TRANSITION: 'That is not possible at this point of the conversation.',
  NOT_OFFERED: 'That offer is no longer yours: it rang out or was withdrawn.',
  NO_CAPACITY: 'You have no room for another chat. Finish one first or raise "Chats at once".',
  AGENT_OFFLINE: 'You are logged out. Please log in again.',
  UNKNOWN_QUEUE: { customer: 'This topic is not available right now.', other: 'There is no such queue.' },
  UNKNOWN_AGENT: { agent: 'Your agent profile is not known here. Ask your supervisor.', other: 'There is no such agent.' },
  UNKNOWN_CUSTOMER: 'That customer is not known.',
  CROSS_TENANT: 'That belongs to another tenant.',
  INVALID_ARGUMENT: 'Something in that request was not valid.',
  INVALID_PROFICIENCY: 'A proficiency must be between 0 and 100.',
  INVALID_CAPACITY: 'That capacity is not possible.',
};

const FALLBACK = 'Something went wrong. Please try again.';

/// The plain sentence for an error code, for one reader.
export function errorWords(code, audience = 'agent') {
  const entry = ERRORS[code];
  if (!entry) return FALLBACK;
  if (typeof entry === 'string') return entry;
  return entry[audience] ?? entry.other ?? FALLBACK;
}

/// Whether an error code has words of its own (not the fallback).
export function hasWords(code) {
  return Object.hasOwn(ERRORS, code);
}

/// Why a waiting or served customer's chat ended (ContactUpdate.detail), in plain words.
const END_REASONS = {
  customer_left: 'You left the chat.',
  max_wait: 'Sorry, nobody could take your chat in time.',
  agent_disconnected: 'Your agent lost their connection.',
  customer_gone: 'You were away for too long.',
  no_agents: 'Sorry, nobody is available to chat right now.',
};

/// The sentence the customer page ends with when the node ended the chat.
export function chatEndedWords(detail) {
  const why = END_REASONS[detail];
  return why ? `Your chat ended. ${why}` : 'Your chat ended.';
}

/// What an AgentUpdate event (and its detail) means, for the agent desk.
export function agentEventWords(event, detail = '') {
  const rated = /csat=([1-5])/.exec(detail)?.[1];
  switch (event) {
    case 'offer_expired': return 'The offer rang out.';
    case 'offer_cancelled': return 'The offer was withdrawn.';
    case 'abandoned': return 'The customer stopped waiting.';
    case 'failed': return 'The contact could not be served.';
    case 'wrap_up': return 'The conversation ended. Please wrap up.';
    case 'customer_left': return rated
      ? `The customer left and rated the service ${rated} out of 5.`
      : 'The customer left. Please wrap up.';
    case 'customer_rated': return `The customer rated the service ${rated ?? '—'} out of 5.`;
    case 'agent_away': return detail === 'ring_no_answer'
      ? 'You were set away because offers rang out without an answer. Go available to take offers again.'
      : 'You were set away. Go available to take offers again.';
    case 'agent_disconnected': return 'Your connection was lost.';
    default: return event ? `${event.replace(/_/g, ' ')}.` : '';
  }
}

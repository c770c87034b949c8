// One colour per outcome, everywhere: the dashboard's charts and the CLI's legends read this table,
// so `rate-limited` is the same orange on every page and in the terminal. Colours follow what an
// owner reads first: green served, greys not a call, reds the client's key, oranges limits, purples
// the request's shape, browns the origin's own errors, blue-greys keygate's faults. `ansi` is the
// nearest xterm-256 colour for the CLI.

export interface OutcomeColour {
  hex: string;
  ansi: number;
}

export const OUTCOME_COLOURS: Record<string, OutcomeColour> = {
  allowed: { hex: '#2e7d32', ansi: 28 },
  preflight: { hex: '#90a4ae', ansi: 248 },
  // The origin answered, with an error of its own (counted within `allowed` by outcome; split by status).
  'origin-4xx': { hex: '#8d6e63', ansi: 137 },
  'origin-5xx': { hex: '#4e342e', ansi: 94 },
  // The key
  'missing-api-key': { hex: '#ef9a9a', ansi: 210 },
  'invalid-api-key': { hex: '#c62828', ansi: 160 },
  'malformed-credentials': { hex: '#e57373', ansi: 203 },
  'too-many-failures': { hex: '#880e4f', ansi: 89 },
  'api-key-in-url': { hex: '#d81b60', ansi: 161 },
  'https-required': { hex: '#ad1457', ansi: 125 },
  'insufficient-scope': { hex: '#f06292', ansi: 205 },
  'ip-not-allowed': { hex: '#ff8a80', ansi: 210 },
  // Limits
  'rate-limited': { hex: '#ef6c00', ansi: 208 },
  'quota-exceeded': { hex: '#f9a825', ansi: 214 },
  // The request's shape
  'non-canonical-path': { hex: '#6a1b9a', ansi: 91 },
  'ambiguous-request': { hex: '#8e24aa', ansi: 127 },
  'method-override': { hex: '#ab47bc', ansi: 134 },
  'method-not-allowed': { hex: '#7e57c2', ansi: 98 },
  'cors-origin-not-allowed': { hex: '#5e35b1', ansi: 61 },
  'route-not-found': { hex: '#9575cd', ansi: 140 },
  // The origin could not be used, or keygate could not decide
  'bad-gateway': { hex: '#1565c0', ansi: 25 },
  'gateway-timeout': { hex: '#0277bd', ansi: 31 },
  'auth-unavailable': { hex: '#00838f', ansi: 30 },
  misconfigured: { hex: '#37474f', ansi: 238 },
  'internal-error': { hex: '#263238', ansi: 236 },
};

/** An outcome outside the table (a future problem type) gets a neutral grey, never a colour another outcome owns. */
export const OTHER_OUTCOME: OutcomeColour = { hex: '#757575', ansi: 244 };

export function outcomeColour(outcome: string): OutcomeColour {
  return OUTCOME_COLOURS[outcome] ?? OTHER_OUTCOME;
}

/**
 * How a state looks: a tone (colour) and an icon that says the same thing in a shape, so
 * that colour is never the only cue. The words are the catalogue's labels.
 */
import { NODE_STATES, REASONS, type NodeStateCode, type ReasonCode } from '../../lambdas/core/catalogue';

export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'off';

/** Every state's tone; a new state without one does not compile. */
const TONES: Record<NodeStateCode, Tone> = {
  NORMAL: 'ok',
  INITIALIZING: 'busy',
  TAKING_OVER: 'busy',
  FAILING_OVER: 'busy',
  FALLING_BACK: 'busy',
  TAKING_BACK: 'busy',
  IDLE: 'warn',
  RUNNING_IN_BACKUP_MODE: 'warn',
  FAILED_OVER: 'warn',
  BACKUP_ACTIVATED: 'busy',
  FAILOVER_AFFECTED_SERVICES: 'busy',
  FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING: 'bad',
  RUNNING_IN_FAILED_MODE: 'bad',
  DOWN: 'bad',
  UNKNOWN: 'bad',
};

/** The icon of each tone, with its meaning in words for screen readers. */
export const ICONS: Record<Tone, { glyph: string; words: string }> = {
  ok: { glyph: '✓', words: 'healthy' },
  busy: { glyph: '↻', words: 'changing' },
  warn: { glyph: '◐', words: 'needs attention' },
  bad: { glyph: '✕', words: 'failed' },
  off: { glyph: '–', words: 'not managed' },
};

/** The tone of a state; `null` is a node of a group with high availability off. */
export const toneOf = (state: NodeStateCode | null): Tone => (state ? TONES[state] : 'off');

export const stateText = (state: NodeStateCode | null): string =>
  state ? NODE_STATES[state].label : 'Not managed (HA off)';
export const reasonText = (reason: ReasonCode | null): string => (reason ? REASONS[reason] : '');

/** Tone order, worst first: the overview shows groups in trouble at the top. */
export const SEVERITY: Record<Tone, number> = { bad: 0, warn: 1, busy: 2, off: 3, ok: 4 };

/** The fill colour of a state in the history picture (CSS custom properties, so dark mode applies). */
export const toneColour = (tone: Tone): string => `var(--${tone})`;

/** "12 s ago", "3 min ago", "never": how long since a heartbeat, for people. */
export function since(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

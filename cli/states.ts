// The labels come from the domain core's catalogue (pure data, no AWS), so that the CLI
// says exactly what the API and the manual say.
import {
  NODE_STATES,
  REASONS,
  reasonLabel,
  stateLabel,
  type NodeStateCode,
  type ReasonCode,
} from '../lambdas/core/catalogue';
import type { Colors } from './output';

export type { NodeStateCode, ReasonCode };

/** Whether `state` is a state this CLI knows (a newer control plane may send others). */
export function isNodeState(state: string): state is NodeStateCode {
  return state in NODE_STATES;
}

/** States a workflow or an initialization passes through: they end by themselves. */
export const TRANSITIONAL_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'INITIALIZING',
  'TAKING_OVER',
  'FAILING_OVER',
  'FALLING_BACK',
  'TAKING_BACK',
  'BACKUP_ACTIVATED',
  'FAILOVER_AFFECTED_SERVICES',
]);

/** States that need an operator: a node lost, failed, or with its critical services down. */
const BAD_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'RUNNING_IN_FAILED_MODE',
  'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
  'DOWN',
  'UNKNOWN',
]);

/** How a state reads at a glance: fine, on the way or on backup, or failed. */
export type Tone = 'good' | 'warn' | 'bad' | 'none';

/** Green for Normal, yellow for transitional and failed-over-but-serving states, red for failed or down. */
export function stateTone(state: string | null): Tone {
  if (state === null) return 'none';
  if (state === 'NORMAL') return 'good';
  if (isNodeState(state) && BAD_STATES.has(state)) return 'bad';
  return 'warn';
}

/** Colours `text` by `tone`. */
export function paint(c: Colors, tone: Tone, text: string): string {
  if (tone === 'good') return c.green(text);
  if (tone === 'warn') return c.yellow(text);
  if (tone === 'bad') return c.red(text);
  return c.dim(text);
}

/** The manual's label for a state code (the code itself if this CLI does not know it yet). */
export function labelOfState(state: string | null): string {
  if (state === null) return '-';
  return isNodeState(state) ? stateLabel(state) : state;
}

/** The manual's label for a reason code. */
export function labelOfReason(reason: string | null): string {
  if (reason === null) return '-';
  return reason in REASONS ? reasonLabel(reason as ReasonCode) : reason;
}

/** A state as a coloured label, e.g. a red `Running in Failed Mode`. */
export function paintState(c: Colors, state: string | null, label?: string | null): string {
  return paint(c, stateTone(state), label ?? labelOfState(state));
}

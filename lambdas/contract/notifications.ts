import type { DomainEvent } from '../core';

/**
 * Detail-type of the operator notifications the embedded default adds to its event stream
 * (on AWS the same text goes to the notifications SNS topic instead; docs/alerts.md).
 */
export const NOTIFICATION_DETAIL_TYPE = 'OperatorNotification';

/** The detail fields a message may quote: `{name}` in a template is replaced by the field. */
export type NotificationField =
  'group' | 'nodeId' | 'from' | 'to' | 'reason' | 'fromNode' | 'toNode' | 'outcome' | 'operationId';

export type NotificationKind =
  | 'FAILOVER_STARTED'
  | 'FAILOVER_SUCCEEDED'
  | 'FAILOVER_FAILED'
  | 'FALLBACK_STARTED'
  | 'AUTOMATIC_FALLBACK_STARTED'
  | 'FALLBACK_SUCCEEDED'
  | 'FALLBACK_FAILED'
  | 'RUNNING_IN_FAILED_MODE'
  | 'NODE_DOWN';

/**
 * Which events a notification is for, in a form both an EventBridge pattern and the local
 * bus can apply: the detail-type, and optionally one detail field that must equal one of
 * the values, or must not equal one.
 */
export interface NotificationMatch {
  detailType: DomainEvent['detailType'];
  field?: { name: NotificationField; equals?: readonly string[]; anythingBut?: string };
}

export interface NotificationDefinition {
  kind: NotificationKind;
  severity: 'critical' | 'warning' | 'info';
  match: NotificationMatch;
  /** First line of the message. */
  title: string;
  /** What happened, one line, with `{field}` placeholders. */
  what: string;
  /** What the operator should do, with `{field}` placeholders. */
  action: string;
}

/**
 * The notifications an on-call engineer gets, one definition each: the stack builds its
 * EventBridge rules and input transformers from this list, the embedded default its
 * `OperatorNotification` events, so both say the same thing.
 */
export const NOTIFICATIONS: readonly NotificationDefinition[] = [
  {
    kind: 'FAILOVER_STARTED',
    severity: 'critical',
    match: { detailType: 'FailoverStarted' },
    title: 'Failover started in group {group}',
    what: 'The users of {fromNode} are moving to {toNode} (reason {reason}, operation {operationId}).',
    action:
      'Find out why {fromNode} failed (its prg-agent log, `prg status {group}`). Once it is healthy, `prg fallback {fromNode}` brings its users home, unless automatic fallback does it.',
  },
  {
    kind: 'FAILOVER_SUCCEEDED',
    severity: 'warning',
    match: { detailType: 'FailoverCompleted', field: { name: 'outcome', equals: ['succeeded'] } },
    title: 'Failover completed in group {group}',
    what: 'The users of {fromNode} are now served by {toNode} (reason {reason}, operation {operationId}).',
    action:
      '{toNode} now carries both nodes: repair {fromNode}, then `prg fallback {fromNode}` (or wait for automatic fallback).',
  },
  {
    kind: 'FAILOVER_FAILED',
    severity: 'critical',
    match: { detailType: 'FailoverCompleted', field: { name: 'outcome', equals: ['failed'] } },
    title: 'Failover FAILED in group {group}',
    what: 'The users of {fromNode} could not be moved to {toNode} (reason {reason}, operation {operationId}).',
    action:
      'Users may be unserved. Check both nodes with `prg status {group}`, fix what failed, then `prg recover {group}`.',
  },
  {
    kind: 'FALLBACK_STARTED',
    severity: 'info',
    match: { detailType: 'FallbackStarted', field: { name: 'reason', anythingBut: 'AUTOMATIC_FALLBACK' } },
    title: 'Fallback started in group {group}',
    what: 'The users of {toNode} are coming back to it from {fromNode} (reason {reason}, operation {operationId}).',
    action: 'Nothing to do unless it fails; follow it with `prg status {group}`.',
  },
  {
    kind: 'AUTOMATIC_FALLBACK_STARTED',
    severity: 'info',
    match: { detailType: 'FallbackStarted', field: { name: 'reason', equals: ['AUTOMATIC_FALLBACK'] } },
    title: 'Automatic fallback started in group {group}',
    what: '{toNode} has been healthy long enough: its users are coming back from {fromNode} (operation {operationId}).',
    action: 'Nothing to do unless it fails; follow it with `prg status {group}`.',
  },
  {
    kind: 'FALLBACK_SUCCEEDED',
    severity: 'info',
    match: { detailType: 'FallbackCompleted', field: { name: 'outcome', equals: ['succeeded'] } },
    title: 'Fallback completed in group {group}',
    what: 'The users of {toNode} are home again, back from {fromNode} (reason {reason}, operation {operationId}).',
    action: 'Nothing to do: the group is back to normal.',
  },
  {
    kind: 'FALLBACK_FAILED',
    severity: 'critical',
    match: { detailType: 'FallbackCompleted', field: { name: 'outcome', equals: ['failed'] } },
    title: 'Fallback FAILED in group {group}',
    what: 'The users of {toNode} could not be brought back from {fromNode} (reason {reason}, operation {operationId}).',
    action: 'Check both nodes with `prg status {group}`, fix what failed, then `prg recover {group}`.',
  },
  {
    kind: 'RUNNING_IN_FAILED_MODE',
    severity: 'critical',
    match: { detailType: 'NodeStateChanged', field: { name: 'to', equals: ['RUNNING_IN_FAILED_MODE'] } },
    title: 'Node {nodeId} of group {group} is Running in Failed Mode',
    what: 'Node {nodeId} went from {from} to RUNNING_IN_FAILED_MODE (reason {reason}).',
    action:
      'The group needs an operator: look at `prg status {group}` and `prg history {group}`, fix the cause, then `prg recover {group}`.',
  },
  {
    kind: 'NODE_DOWN',
    severity: 'critical',
    match: { detailType: 'NodeStateChanged', field: { name: 'to', equals: ['DOWN'] } },
    title: 'Node {nodeId} of group {group} is Down',
    what: 'presence-ha lost the heartbeat of {nodeId} (it was {from}; reason {reason}).',
    action:
      'Check the node: is it up, on the network, is prg-agent running? Its peer takes over its users if it can; `prg status {group}` shows where they are.',
  },
];

/** Whether an event matches a notification's pattern (the same test EventBridge applies). */
export function matchesNotification(definition: NotificationDefinition, event: DomainEvent): boolean {
  if (event.detailType !== definition.match.detailType) return false;
  const field = definition.match.field;
  if (!field) return true;
  const raw: unknown = (event as unknown as Record<string, unknown>)[field.name];
  const value = typeof raw === 'string' ? raw : null;
  if (field.equals && (value === null || !field.equals.includes(value))) return false;
  if (field.anythingBut !== undefined && value === field.anythingBut) return false;
  return true;
}

/** The notifications an event raises: none for most, one for those of NOTIFICATIONS. */
export function notificationsFor(event: DomainEvent): NotificationDefinition[] {
  return NOTIFICATIONS.filter((n) => matchesNotification(n, event));
}

/**
 * Fills a template: `{field}` becomes `value(field)`. The stack passes EventBridge input
 * paths (`<group>`), the embedded default the event's own values.
 */
export function fillTemplate(template: string, value: (field: NotificationField) => string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => value(name as NotificationField));
}

/**
 * The whole message as people read it (email, chat, `prg events`): title, what happened,
 * what to do, where to look. `consoleLink` is the dashboard on AWS, a command locally.
 */
export function notificationText(
  definition: NotificationDefinition,
  value: (field: NotificationField) => string,
  consoleLink: string,
): string {
  const fill = (t: string) => fillTemplate(t, value);
  return [
    `[presence-ha ${definition.severity}] ${fill(definition.title)}`,
    fill(definition.what),
    `What to do: ${fill(definition.action)}`,
    `Console: ${consoleLink}`,
  ].join('\n');
}

import type { GroupView } from '../lambdas/contract';
import { duration, relativeAge, type Colors, type Output } from './output';
import {
  isNodeState,
  labelOfReason,
  paint,
  paintState,
  stateTone,
  type NodeStateCode,
  type Tone,
} from './states';

export type { GroupView };
export type GroupNode = GroupView['nodes'][number];

/** What each workflow is called in front of an operator. */
const OPERATION_NAMES: Record<string, string> = {
  TAKE_OVER: 'failover',
  FALL_BACK: 'fallback',
  RECOVER: 'recovery',
};

/** The states in which both nodes count as failed, so that `recover` is allowed (docs/state-machine.md). */
const RECOVERABLE: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'RUNNING_IN_FAILED_MODE',
  'UNKNOWN',
  'DOWN',
]);
const recoverable = (state: string | null) => state !== null && isNodeState(state) && RECOVERABLE.has(state);

/** Whether the group is managed and both nodes are Normal: nothing for an operator to do. */
export function isAllNormal(group: GroupView): boolean {
  return group.nodes.every((n) => n.state === 'NORMAL' && n.reason === 'NORMAL');
}

/**
 * `failover n1 → n2 in progress (move users, 3s)`, or null when no workflow runs;
 * `now` null leaves the age out (progress lines, which show their own).
 */
export function describeOperation(group: GroupView, now: number | null = Date.now()): string | null {
  const op = group.operation;
  if (!op) return null;
  const name = OPERATION_NAMES[op.kind] ?? op.kind.toLowerCase();
  const phase = op.phase.toLowerCase().replace('_', ' ');
  const age = now === null ? '' : `, ${duration(now - Date.parse(op.startedAt))}`;
  return `${name} ${op.fromNode} → ${op.toNode} in progress (${phase}${age})`;
}

/** The nodes' states on one line: `n1 Idle (On Admin Request), n2 Running in Backup Mode (On Admin Request)`. */
export function describeStates(group: GroupView, c?: Colors): string {
  return group.nodes
    .map((n) => {
      const label = n.state === null ? 'not managed' : (n.stateLabel ?? n.state);
      return `${n.nodeId} ${c ? paintState(c, n.state, label) : label} (${n.reasonLabel ?? '-'})`;
    })
    .join(', ');
}

function servicesCell(out: Output, n: GroupNode): string {
  const all = Object.entries(n.services);
  if (all.length === 0) return out.c.dim('none reported');
  const running = all.filter(([, s]) => s === 'running').length;
  // An idle node stopped its services because it was told to: not a fault to shout about.
  const tone: Tone = running === all.length ? 'good' : n.state === 'IDLE' ? 'warn' : 'bad';
  return paint(out.c, tone, `${running}/${all.length} running`);
}

function databaseCell(out: Output, n: GroupNode): string {
  if (n.database === null) return out.c.dim('-');
  return paint(out.c, n.database === 'up' ? 'good' : 'bad', n.database);
}

/** The commands that fit the group's states, from the rules for admin actions in docs/state-machine.md. */
export function nextCommands(group: GroupView): string[] {
  if (!group.highAvailability || group.operation || group.nodes.length !== 2) return [];
  const [first, second] = group.nodes as [GroupNode, GroupNode];
  const out: string[] = [];
  for (const [node, peer] of [
    [first, second],
    [second, first],
  ] as const) {
    const ready = (node.state === 'IDLE' || node.state === 'FAILED_OVER') && group.failedOver === node.nodeId;
    if (ready && peer.state === 'RUNNING_IN_BACKUP_MODE') out.push(`prg fallback ${node.nodeId} --wait`);
  }
  if (recoverable(first.state) && recoverable(second.state)) out.push(`prg recover ${group.name} --wait`);
  return out;
}

/**
 * A group as `prg status` shows it: a header, the node table (state, reason, last
 * heartbeat, services, database) and, unless both nodes are Normal, the cause, the
 * recommended actions (numbered) and the commands that would apply.
 */
export function renderGroup(out: Output, group: GroupView, now = Date.now()): string {
  const colors = out.c;
  const header = [
    colors.bold(group.name),
    group.highAvailability ? 'HA on' : colors.dim('HA off'),
    `cluster ${group.clusterId}`,
    ...(group.description ? [colors.dim(`"${group.description}"`)] : []),
  ];
  const op = describeOperation(group, now);
  if (op) header.push(colors.yellow(op));
  if (group.automaticFallbackAt) {
    const due = Math.max(0, Math.round((Date.parse(group.automaticFallbackAt) - now) / 1000));
    header.push(colors.yellow(`automatic fallback in ${due}s`));
  }
  if (group.maintenance) header.push(colors.yellow('MAINTENANCE'));
  const lines = [header.join('  ')];
  if (group.maintenance) lines.push(maintenanceLine(out, group.maintenance, now));
  // The AGENT column only while some node runs an agent older than the acknowledgement:
  // then it is the list of agents to upgrade, and it leaves the table once there are none.
  const old = oldAgents(group);
  lines.push(
    out.table(
      [
        'NODE',
        'STATE',
        'REASON',
        'LAST HEARTBEAT',
        'SERVICES',
        'DATABASE',
        ...(old.length > 0 ? ['AGENT'] : []),
      ],
      group.nodes.map((n) => [
        n.nodeId,
        paintState(colors, n.state, n.state === null ? 'not managed' : n.stateLabel),
        n.reason === null ? colors.dim('-') : (n.reasonLabel ?? labelOfReason(n.reason)),
        n.lastHeartbeatAt ? relativeAge(n.lastHeartbeatAt, now) : colors.dim('never'),
        servicesCell(out, n),
        databaseCell(out, n),
        ...(old.length > 0 ? [agentCell(out, n)] : []),
      ]),
      2,
    ),
  );
  // Said whatever the states: a Normal pair on an old agent is exactly when to upgrade it.
  if (old.length > 0) lines.push(colors.yellow(`  ${oldAgentAdvice(old)}`));
  if (!group.highAvailability) {
    lines.push(
      colors.dim(
        `  High availability is off: no failover. Turn it on with: prg group enable-ha ${group.name}`,
      ),
    );
    return lines.join('\n');
  }
  if (isAllNormal(group)) return lines.join('\n');

  const causes = unique(group.nodes.map((n) => n.cause).filter((x): x is string => !!x));
  const actions = unique(group.nodes.flatMap((n) => n.recommendedActions));
  const worst = group.nodes.some((n) => stateTone(n.state) === 'bad') ? 'bad' : 'warn';
  for (const cause of causes) lines.push(`  ${paint(colors, worst, 'Cause:')} ${cause}`);
  if (actions.length > 0) {
    lines.push(`  ${colors.bold('Recommended actions:')}`);
    actions.forEach((action, i) => lines.push(`    ${i + 1}. ${action}`));
  }
  const next = nextCommands(group);
  if (next.length > 0) lines.push(`  ${colors.bold('With prg:')} ${next.join('   or   ')}`);
  return lines.join('\n');
}

/**
 * The nodes whose agent predates the acknowledgement (heartbeats without `heard`); a node
 * never heard from (`null`) is not one, and a control plane older than the acknowledgement
 * sends no such field at all.
 */
export function oldAgents(group: GroupView): string[] {
  return group.nodes.filter((n) => n.agentAcknowledges === false).map((n) => n.nodeId);
}

function agentCell(out: Output, n: GroupNode): string {
  if (n.agentAcknowledges === false) return out.c.yellow('old');
  return n.agentAcknowledges ? out.c.dim('current') : out.c.dim('-');
}

/** What running an old agent means for the node, and what to do about it. */
export function oldAgentAdvice(nodeIds: string[]): string {
  const names =
    nodeIds.length <= 2 ? nodeIds.join(' and ') : `${nodeIds.slice(0, -1).join(', ')} and ${nodeIds.at(-1)}`;
  const who = nodeIds.length === 1 ? `${nodeIds[0]} runs an agent` : `${names} run agents`;
  const them = nodeIds.length === 1 ? 'it' : 'them';
  return `${who} too old to acknowledge (no \`heard\`): the older failover rules apply, taking silence as fenced without proof. Upgrade prg-agent on ${them} (docs/runbooks.md, "Upgrading to the acknowledgement").`;
}

/** The maintenance window in one line: why, by whom, until when, and what it holds back. */
export function maintenanceLine(
  out: Output,
  window: NonNullable<GroupView['maintenance']>,
  now = Date.now(),
): string {
  const left = Math.max(0, Math.round((Date.parse(window.until) - now) / 1000));
  return out.c.yellow(
    `  Maintenance until ${window.until} (${duration(left * 1000)} left) by ${window.by}: ${window.reason}. No automatic failover or fallback until then.`,
  );
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * Which admin actions a group allows right now, and why not when it does not. The API is
 * the judge (a refused action answers 409 with the states); this mirrors its rules so the
 * buttons are enabled only where the action can succeed, and say why otherwise.
 */
import { fillNodeNames, NODE_STATES, TABLE_2, type NodeStateCode } from '../../lambdas/core/catalogue';
import type { GroupMemberView, GroupView } from '../../lambdas/contract/responses';
import { stateText } from './tone';

export type ActionKind = 'failover' | 'fallback' | 'recover';

export interface Action {
  kind: ActionKind;
  /** The node acted on (recover acts on the group). */
  nodeId: string | null;
  /** The button's name: "Failover imp-a", "Fallback imp-a", "Recover". */
  label: string;
  /** Why it cannot be done now; null when it can. */
  blocked: string | null;
}

/** States in which a node counts as failed, so that the group may be recovered (the core's rule). */
const FAILED: readonly NodeStateCode[] = ['RUNNING_IN_FAILED_MODE', 'UNKNOWN', 'DOWN'];

const is = (n: GroupMemberView) => `${n.nodeId} is ${stateText(n.state)}`;

function groupBlock(g: GroupView, role: 'admin' | 'read'): string | null {
  if (role !== 'admin')
    return 'You are signed in with a read token: it shows everything and acts on nothing.';
  if (!g.highAvailability) return `High availability is off on ${g.name}: turn it on first.`;
  if (g.operation)
    return `Operation ${g.operation.kind.toLowerCase().replace('_', ' ')} is still running on ${g.name}; wait for it to end.`;
  return null;
}

/** The actions of one node: failover to its peer and fallback to it. */
export function nodeActions(g: GroupView, node: GroupMemberView, role: 'admin' | 'read'): Action[] {
  const peer = g.nodes.find((n) => n.nodeId !== node.nodeId);
  const base = groupBlock(g, role) ?? (peer ? null : `${g.name} has a single node.`);
  const both = peer ? `${is(node)} and ${is(peer)}.` : '';
  const failover =
    base ??
    (node.state === 'NORMAL' && peer?.state === 'NORMAL'
      ? null
      : `Failover needs both nodes Normal; ${both}`);
  const ready = (node.state === 'IDLE' || node.state === 'FAILED_OVER') && g.failedOver === node.nodeId;
  const fallback =
    base ??
    (ready && peer?.state === 'RUNNING_IN_BACKUP_MODE'
      ? null
      : `Fallback to ${node.nodeId} needs it Idle or Failed Over with its users on its peer, and the peer Running in Backup Mode; ${both}`);
  return [
    { kind: 'failover', nodeId: node.nodeId, label: `Failover ${node.nodeId}`, blocked: failover },
    { kind: 'fallback', nodeId: node.nodeId, label: `Fallback ${node.nodeId}`, blocked: fallback },
  ];
}

/** Recovery of the whole group: both nodes failed. */
export function recoverAction(g: GroupView, role: 'admin' | 'read'): Action {
  const failed = g.nodes.length === 2 && g.nodes.every((n) => n.state !== null && FAILED.includes(n.state));
  const blocked =
    groupBlock(g, role) ??
    (failed
      ? null
      : `Recovery needs both nodes failed (Running in Failed Mode, Down or Unknown); ${g.nodes.map(is).join(' and ')}.`);
  return { kind: 'recover', nodeId: null, label: 'Recover', blocked };
}

const row = (id: string) => TABLE_2.find((r) => r.id === id);
const label = (s: NodeStateCode) => NODE_STATES[s].label;

/** What an action will do, in sentences: the states it passes through and ends in, and who moves. */
export function consequences(a: Action, g: GroupView, users: ReadonlyMap<string, number>): string[] {
  const node = a.nodeId ?? '';
  const peer = g.nodes.find((n) => n.nodeId !== node)?.nodeId ?? '';
  const count = (id: string) => users.get(id) ?? 0;
  switch (a.kind) {
    case 'failover': {
      const done = row('manual-failover-complete');
      return [
        `${node} goes ${label('FAILING_OVER')} while ${peer} goes ${label('TAKING_OVER')}; then ${node} is ${label('IDLE')} and ${peer} is ${label('RUNNING_IN_BACKUP_MODE')}.`,
        `${count(node)} users whose home is ${node} move to ${peer}; their clients log in again there. ${node}'s critical services are stopped.`,
        done ? fillNodeNames(done.cause, node, peer, g.name) : '',
      ].filter(Boolean);
    }
    case 'fallback':
      return [
        `${node} goes ${label('TAKING_BACK')} while ${peer} goes ${label('FALLING_BACK')}; then both are ${label('NORMAL')}.`,
        `${count(node)} users whose home is ${node} move back to it from ${peer}; their clients log in again there.`,
      ];
    case 'recover':
      return [
        `Both nodes go ${label('INITIALIZING')} and restart their critical services; healthy nodes then turn ${label('NORMAL')}.`,
        `Every user goes back to its home node (${g.nodes.map((n) => `${count(n.nodeId)} on ${n.nodeId}`).join(', ')}).`,
      ];
  }
}

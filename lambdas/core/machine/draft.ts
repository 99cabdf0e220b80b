import type { NodeStateCode } from '../catalogue/states';
import type { ReasonCode } from '../catalogue/reasons';
import type { ClusterParameters } from '../schemas/parameters';
import type { NodeId } from '../schemas/identifiers';
import type { DomainEvent, Effect, GroupState, Member, Operation, WorkflowKind } from '../types';
import { isFresh } from './health';
import { GroupInvariantError } from '../errors';

/** How long past its own deadlines a workflow may run before it is declared lost. */
export const OPERATION_TIMEOUT_SECONDS = 900;

const STARTED = {
  TAKE_OVER: 'FailoverStarted',
  FALL_BACK: 'FallbackStarted',
  RECOVER: 'RecoveryStarted',
} as const;
const COMPLETED = {
  TAKE_OVER: 'FailoverCompleted',
  FALL_BACK: 'FallbackCompleted',
  RECOVER: 'RecoveryCompleted',
} as const;

/**
 * A working copy of a group during one transition: the rules change it through these
 * helpers, which also collect the effects and the cause of each state change.
 */
export class Draft {
  readonly effects: Effect[] = [];
  readonly causes = new Map<NodeId, string>();
  readonly at: string;

  constructor(
    readonly group: GroupState,
    readonly now: number,
    readonly params: ClusterParameters,
  ) {
    this.at = new Date(now).toISOString();
  }

  member(nodeId: NodeId): Member {
    const m = this.group.members.find((x) => x.nodeId === nodeId);
    if (!m) throw new GroupInvariantError(this.group.name, `node ${nodeId} is not a member`);
    return m;
  }

  peer(m: Member): Member {
    const p = this.group.members.find((x) => x.nodeId !== m.nodeId);
    if (!p) throw new GroupInvariantError(this.group.name, `node ${m.nodeId} has no peer`);
    return p;
  }

  /** The two members of an HA group, in group order. */
  both(): [Member, Member] {
    const [a, b] = this.group.members;
    if (!a || !b) throw new GroupInvariantError(this.group.name, 'high availability needs two members');
    return [a, b];
  }

  /** Both members, the given one first. */
  pair(m: Member): [Member, Member] {
    return [m, this.peer(m)];
  }

  /** Sets a node's state and reason and remembers why, for the history. */
  set(m: Member, state: NodeStateCode, reason: ReasonCode, cause: string): void {
    if (m.state === state && m.reason === reason) return;
    if (state === 'DOWN' && m.state !== 'DOWN') m.downFrom = m.state;
    if (state !== 'DOWN') m.downFrom = null;
    m.state = state;
    m.reason = reason;
    if (state !== 'INITIALIZING') {
      m.initDeadline = null;
      m.heardSinceInit = false;
    }
    this.causes.set(m.nodeId, cause);
  }

  /** Enters INITIALIZING with a window that ends at `deadline`. */
  initialize(m: Member, deadline: number, heard: boolean, cause: string): void {
    this.set(m, 'INITIALIZING', 'INITIALIZATION', cause);
    m.initDeadline = deadline;
    m.heardSinceInit = heard;
  }

  /**
   * Both nodes enter the failed state with `reason`; a node that is not heard from is
   * shown DOWN rather than pretending it runs.
   */
  failBoth(reason: ReasonCode, cause: string): void {
    for (const m of this.group.members) {
      const fresh = isFresh(m, this.now, this.params);
      this.set(m, fresh ? 'RUNNING_IN_FAILED_MODE' : 'DOWN', reason, cause);
      if (!fresh) m.downFrom = 'RUNNING_IN_FAILED_MODE';
    }
  }

  nextId(prefix: string): string {
    this.group.seq += 1;
    return `${prefix}-${this.group.seq}`;
  }

  publish(event: DomainEvent): void {
    this.effects.push({ type: 'Publish', event });
  }

  startOperation(
    kind: WorkflowKind,
    reason: ReasonCode,
    from: Member,
    to: Member,
    servicesDeadline: number | null,
  ): Operation {
    const op: Operation = {
      id: this.nextId(kind.toLowerCase().replace('_', '-')),
      kind,
      reason,
      from: from.nodeId,
      to: to.nodeId,
      startedAt: this.now,
      phase: servicesDeadline === null ? 'MOVE_USERS' : 'AWAIT_SERVICES',
      servicesDeadline,
      startOrderDeliveredAt: null,
      expiresAt: (servicesDeadline ?? this.now) + OPERATION_TIMEOUT_SECONDS * 1000,
    };
    this.group.operation = op;
    this.group.autoFallback = null;
    this.effects.push({
      type: 'StartWorkflow',
      workflow: kind,
      operationId: op.id,
      fromNode: op.from,
      toNode: op.to,
    });
    this.publish({
      detailType: STARTED[kind],
      group: this.group.name,
      operationId: op.id,
      fromNode: op.from,
      toNode: op.to,
      reason,
      at: this.at,
    });
    return op;
  }

  endOperation(outcome: 'succeeded' | 'failed'): void {
    const op = this.group.operation;
    if (!op) return;
    this.group.operation = null;
    this.group.lastOperation = {
      id: op.id,
      kind: op.kind,
      reason: op.reason,
      from: op.from,
      to: op.to,
      outcome,
      endedAt: this.now,
    };
    this.publish({
      detailType: COMPLETED[op.kind],
      group: this.group.name,
      operationId: op.id,
      fromNode: op.from,
      toNode: op.to,
      reason: op.reason,
      outcome,
      at: this.at,
    });
  }
}

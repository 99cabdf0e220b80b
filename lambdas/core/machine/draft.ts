import type { NodeStateCode } from '../catalogue/states';
import type { ReasonCode } from '../catalogue/reasons';
import type { ClusterParameters } from '../schemas/parameters';
import type { NodeId } from '../schemas/identifiers';
import type {
  DomainEvent,
  Effect,
  GroupState,
  Member,
  Operation,
  OperationPhase,
  WorkflowKind,
} from '../types';
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
    const member = this.group.members.find((x) => x.nodeId === nodeId);
    if (!member) throw new GroupInvariantError(this.group.name, `node ${nodeId} is not a member`);
    return member;
  }

  peer(member: Member): Member {
    const peer = this.group.members.find((x) => x.nodeId !== member.nodeId);
    if (!peer) throw new GroupInvariantError(this.group.name, `node ${member.nodeId} has no peer`);
    return peer;
  }

  /** The two members of an HA group, in group order. */
  both(): [Member, Member] {
    const [first, second] = this.group.members;
    if (!first || !second)
      throw new GroupInvariantError(this.group.name, 'high availability needs two members');
    return [first, second];
  }

  /** Both members, the given one first. */
  pair(member: Member): [Member, Member] {
    return [member, this.peer(member)];
  }

  /** Sets a node's state and reason and remembers why, for the history. */
  set(member: Member, state: NodeStateCode, reason: ReasonCode, cause: string): void {
    if (member.state === state && member.reason === reason) return;
    if (state === 'DOWN' && member.state !== 'DOWN') member.downFrom = member.state;
    if (state !== 'DOWN') member.downFrom = null;
    member.state = state;
    member.reason = reason;
    if (state !== 'INITIALIZING') {
      member.initDeadline = null;
      member.heardSinceInit = false;
    }
    this.causes.set(member.nodeId, cause);
  }

  /** Enters INITIALIZING with a window that ends at `deadline`. */
  initialize(member: Member, deadline: number, heard: boolean, cause: string): void {
    this.set(member, 'INITIALIZING', 'INITIALIZATION', cause);
    member.initDeadline = deadline;
    member.heardSinceInit = heard;
  }

  /**
   * Both nodes enter the failed state with `reason`; a node that is not heard from is
   * shown DOWN rather than pretending it runs.
   */
  failBoth(reason: ReasonCode, cause: string): void {
    for (const member of this.group.members) {
      const fresh = isFresh(member, this.now, this.params);
      this.set(member, fresh ? 'RUNNING_IN_FAILED_MODE' : 'DOWN', reason, cause);
      if (!fresh) member.downFrom = 'RUNNING_IN_FAILED_MODE';
    }
  }

  /** A new operation or timer id: `kind-seq`, then the group's incarnation when it has one. */
  nextId(prefix: string): string {
    this.group.seq += 1;
    const incarnation = this.group.incarnation;
    return incarnation ? `${prefix}-${this.group.seq}-${incarnation}` : `${prefix}-${this.group.seq}`;
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
    phase: OperationPhase = servicesDeadline === null ? 'MOVE_USERS' : 'AWAIT_SERVICES',
  ): Operation {
    const op: Operation = {
      id: this.nextId(kind.toLowerCase().replace('_', '-')),
      kind,
      reason,
      from: from.nodeId,
      to: to.nodeId,
      startedAt: this.now,
      phase,
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

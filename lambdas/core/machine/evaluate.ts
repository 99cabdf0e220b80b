import type { ReasonCode } from '../catalogue/reasons';
import type { NodeStateCode } from '../catalogue/states';
import type { Member, Operation } from '../types';
import { OPERATION_TIMEOUT_SECONDS, type Draft } from './draft';
import { inMaintenance } from './maintenance';
import { serviceStopSeconds } from '../schemas/parameters';
import { fences, heardEpoch, legacyAgent, silenceProvesFence, toldOrLegacy } from './acknowledgement';
import { expiredFault, isFresh, isHealthy, isSilent, reportedFault, silentFor, type Fault } from './health';

const secs = (ms: number) => Math.round(ms / 1000);

/** Whether `candidate` can take the users of its peer right now. */
function canTakeOver(draft: Draft, candidate: Member): boolean {
  const { now, params } = draft;
  if (!isFresh(candidate, now, params) || expiredFault(candidate, now, params) !== null) return false;
  if (candidate.state === 'NORMAL') return draft.group.failedOver === null;
  return (
    candidate.state === 'FAILED_OVER' &&
    draft.group.failedOver === candidate.nodeId &&
    isHealthy(candidate, now, params)
  );
}

/** Starts an automatic take-over of `member`'s users by `peer`. */
function takeOver(
  draft: Draft,
  member: Member,
  peer: Member,
  reason: ReasonCode,
  memberState: 'DOWN' | 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
  cause: string,
): void {
  // A node never heard from keeps INITIALIZATION, as in the Peer Down During Initialization row.
  const memberReason = reason === 'PEER_DOWN_DURING_INITIALIZATION' ? 'INITIALIZATION' : reason;
  draft.set(member, memberState, memberReason, cause);
  draft.set(peer, 'TAKING_OVER', reason, cause);
  startTakeOver(draft, reason, member, peer);
}

/**
 * Starts the take-over workflow of an automatic take-over. A silent node's users move at
 * once: its silence proves its fence. A node still heard (a failed critical service, its
 * database, an auto-recovery) is told to stop and keeps its users until it has stopped,
 * like a manual failover; as its own report of services down may predate a restart it
 * was never told to prevent, that report counts only once its agent has surely fenced or
 * obeyed (`stopProvenAt`, see docs/safety.md).
 */
function startTakeOver(draft: Draft, reason: ReasonCode, member: Member, peer: Member): void {
  const { now, params } = draft;
  if (!isFresh(member, now, params)) {
    draft.startOperation('TAKE_OVER', reason, member, peer, null);
    return;
  }
  const op = draft.startOperation('TAKE_OVER', reason, member, peer, draft.now, 'AWAIT_STOP');
  awaitProvenStop(draft, op);
}

/**
 * An operation waits for its failing node, still heard, to stop (AWAIT_STOP): its report
 * counts once it acknowledged the stop, or from `stopProvenAt`, when its agent has surely
 * fenced or obeyed; it has a few heartbeats after that before it fails the operation.
 */
function awaitProvenStop(draft: Draft, op: Operation): void {
  const { now, params } = draft;
  const stop = serviceStopSeconds(params);
  const provenAt = now + (params.keepAliveTimeout + stop) * 1000;
  op.phase = 'AWAIT_STOP';
  op.stopProvenAt = provenAt;
  op.servicesDeadline = Math.max(
    now + (params.initializationKeepAliveTimeout + stop) * 1000,
    provenAt + 3 * params.keepAliveInterval * 1000,
  );
  op.expiresAt = Math.max(op.expiresAt, op.servicesDeadline + OPERATION_TIMEOUT_SECONDS * 1000);
}

/** A node that serves users right now: its own (not failed over) or its peer's. */
function serves(draft: Draft, member: Member): boolean {
  return draft.group.failedOver !== member.nodeId;
}

function silenceCause(draft: Draft, member: Member): string {
  const lost = secs(silentFor(member, draft.peer(member), draft.now));
  const notice = member.notice ? `; its last heartbeat announced a ${member.notice}` : '';
  return `No heartbeat from ${member.nodeId} for ${lost} s (keepAliveTimeout ${draft.params.keepAliveTimeout} s)${notice}.`;
}

function faultCause(draft: Draft, member: Member, fault: Fault): string {
  const what =
    fault === 'DATABASE_FAILURE'
      ? 'its database'
      : `critical service(s) ${Object.keys(member.servicesDownSince).sort().join(', ')}`;
  return `${member.nodeId} reported ${what} down for at least ${draft.params.criticalServiceDelay} s (criticalServiceDelay).`;
}

/** Rules while a workflow runs: its deadlines, and the loss of a node it depends on. */
function operationRules(draft: Draft): boolean {
  const op = draft.group.operation;
  if (!op) return false;
  const { now, params } = draft;
  if (now > op.expiresAt) {
    draft.failBoth(
      'UNKNOWN',
      `Operation ${op.id} did not complete by ${new Date(op.expiresAt).toISOString()}; the workflow is presumed lost (internal system error).`,
    );
    draft.endOperation('failed');
    return true;
  }
  const from = draft.member(op.from);
  const to = draft.member(op.to);
  if (op.kind === 'TAKE_OVER') {
    if (isSilent(to, from, now, params)) {
      draft.failBoth(
        'TAKE_OVER_USERS_FAILED',
        `${silenceCause(draft, to)} It was taking over the users of ${from.nodeId}.`,
      );
      draft.endOperation('failed');
      return true;
    }
    // Its silence let the users move, but it is heard again before they moved (a reboot,
    // a link back): it may serve them again. The workflow cannot wait anew once it has
    // been told to move, so the take-over fails and the users stay on it.
    if (op.phase === 'MOVE_USERS' && from.state === 'DOWN' && isFresh(from, now, params)) {
      draft.failBoth(
        'TAKE_OVER_USERS_FAILED',
        `${from.nodeId} is heard again before its users moved to ${to.nodeId}; it may be serving them, so they stay on it.`,
      );
      draft.endOperation('failed');
      return true;
    }
    if (op.phase === 'AWAIT_STOP') return awaitStopRule(draft, from);
    if (from.state !== 'DOWN' && isSilent(from, to, now, params)) {
      draft.set(from, 'DOWN', from.reason ?? op.reason, silenceCause(draft, from));
      return true;
    }
    return false;
  }
  if (op.kind === 'RECOVER') return recoverRule(draft);
  if (op.kind === 'FALL_BACK') {
    if (isSilent(from, to, now, params)) {
      draft.failBoth(
        'TAKE_BACK_USERS_FAILED',
        `${silenceCause(draft, from)} It was handing the users back to ${to.nodeId}.`,
      );
      draft.endOperation('failed');
      return true;
    }
    if (op.phase === 'AWAIT_SERVICES') {
      const delivered = op.startOrderDeliveredAt ?? null;
      const obeyed = delivered !== null && to.lastHeartbeatAt !== null && to.lastHeartbeatAt > delivered;
      // The backup node must have heard that it is falling back (and so stopped serving
      // its peer's users) before they go home: a node that cannot be told would serve
      // them beside their home node until its fence. An agent older than the
      // acknowledgement cannot say it heard: its users go home as before it existed.
      const told = toldOrLegacy(from, op.decidedEpoch);
      if (obeyed && told && isHealthy(to, now, params)) {
        op.phase = 'MOVE_USERS';
        return true;
      }
      if (op.servicesDeadline !== null && now > op.servicesDeadline && obeyed && !told) {
        draft.failBoth(
          'TAKE_BACK_USERS_FAILED',
          `${from.nodeId} did not acknowledge that it is falling back within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout); the users stay on it rather than be served by two nodes.`,
        );
        draft.endOperation('failed');
        return true;
      }
      if (op.servicesDeadline !== null && now > op.servicesDeadline) {
        draft.failBoth(
          'START_OF_CRITICAL_SERVICES_FAILED',
          `${to.nodeId} did not report every critical service running within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout) of being told to start them.`,
        );
        draft.endOperation('failed');
        return true;
      }
    }
  }
  return false;
}

/**
 * A recovery moves the failed-over users home only once the node serving them has heard
 * the recovery (its answer says Initializing: it serves only its own users), or has been
 * silent past the moment its agent surely fenced. A node that does neither by the end of
 * the initialization window keeps the users, and the recovery fails.
 */
function recoverRule(draft: Draft): boolean {
  const op = draft.group.operation;
  if (!op || op.phase === 'MOVE_USERS') return false;
  const { now, params } = draft;
  const from = draft.member(op.from);
  const fencedBySilence = !isFresh(from, now, params) && silenceProvesFence(from);
  if (toldOrLegacy(from, op.decidedEpoch) || fencedBySilence) {
    op.phase = 'MOVE_USERS';
    op.servicesDeadline = null;
    return true;
  }
  if (op.servicesDeadline !== null && now > op.servicesDeadline) {
    draft.failBoth(
      'TAKE_BACK_USERS_FAILED',
      `${from.nodeId} neither acknowledged the recovery nor fell silent long enough to have stopped its services within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout); the users of ${op.to} stay on it.`,
    );
    draft.endOperation('failed');
    return true;
  }
  return false;
}

/** Every critical service of the node was reported not running by its last heartbeat. */
function servicesStopped(draft: Draft, member: Member): boolean {
  return draft.params.criticalServices.every((s) => Object.hasOwn(member.servicesDownSince, s));
}

/**
 * A take-over of a node still heard moves the users only once that node no longer serves
 * them: its heartbeat reports every critical service stopped (for a take-over no operator
 * asked for, only from `stopProvenAt` on), or it has been silent past the moment its
 * agent's fence has stopped them (keepAliveTimeout, see docs/safety.md). A node still
 * heard but still running its services when the window ends fails the operation, its
 * users staying where they are.
 */
function awaitStopRule(draft: Draft, from: Member): boolean {
  const op = draft.group.operation;
  if (!op) return false;
  const { now, params } = draft;
  // A report of services stopped counts once the node acknowledged its stop order (its
  // agent will not start them again), or, for a take-over no operator asked for, once its
  // agent has surely fenced or obeyed. Before that, services reported stopped may be
  // started again by an agent that never heard the order (after a reboot, or a fence
  // lifted by an older answer), and serve the users beside their new node.
  const provenAt = op.stopProvenAt ?? null;
  // An agent older than the acknowledgement is judged as before it: its report counts at
  // once for a failover an operator asked for, from `stopProvenAt` for any other.
  const legacyProven = legacyAgent(from) && (provenAt === null || now >= provenAt);
  const proven =
    heardEpoch(from, op.decidedEpoch) ||
    (provenAt !== null && now >= provenAt && fences(from)) ||
    legacyProven;
  // Silence proves the fence only of an agent that acknowledged being in this group.
  const fencedBySilence = !isFresh(from, now, params) && silenceProvesFence(from);
  if (fencedBySilence || (proven && servicesStopped(draft, from))) {
    op.phase = 'MOVE_USERS';
    op.servicesDeadline = null;
    return true;
  }
  if (op.servicesDeadline !== null && now > op.servicesDeadline) {
    const why = isFresh(from, now, params)
      ? `still reported some running ${secs(now - op.startedAt)} s later`
      : 'then fell silent, but its agent never acknowledged being in this HA group, so its silence does not prove its services stopped';
    draft.failBoth(
      'TAKE_OVER_USERS_FAILED',
      `${from.nodeId} was told to stop its critical services but ${why}; its users stay on it.`,
    );
    draft.endOperation('failed');
    return true;
  }
  return false;
}

/** A lost heartbeat: the node is shown DOWN; a serving node's reason says why. */
function silenceRule(draft: Draft): boolean {
  const { now, params } = draft;
  const exempt: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>(['DOWN', 'UNKNOWN', 'INITIALIZING']);
  const lost = draft.group.members.filter(
    (m) => m.state !== null && !exempt.has(m.state) && isSilent(m, draft.peer(m), now, params),
  );
  if (lost.length === 0) return false;
  if (lost.length === 2 && lost.every((m) => m.state === 'NORMAL')) {
    const cause = `Lost the heartbeat of both nodes (keepAliveTimeout ${params.keepAliveTimeout} s); neither can take over.`;
    for (const member of lost) draft.set(member, 'UNKNOWN', 'UNKNOWN', cause);
    return true;
  }
  for (const member of lost) {
    const servingState = member.state === 'NORMAL' || member.state === 'RUNNING_IN_BACKUP_MODE';
    const reason: ReasonCode = servingState
      ? member.notice
        ? 'PEER_REBOOT'
        : 'PEER_DOWN'
      : (member.reason ?? 'UNKNOWN');
    const untold = silenceProvesFence(member)
      ? ''
      : ` Its agent never acknowledged being in this HA group (it may not know it must fence), so its users are not failed over automatically; see docs/safety.md.`;
    draft.set(member, 'DOWN', reason, `${silenceCause(draft, member)}${untold}`);
  }
  return true;
}

/**
 * INITIALIZING nodes: Normal as soon as a heartbeat shows them healthy; at the end of
 * their window, a node never heard from is DOWN and one with services down fails over.
 */
function initializationRule(draft: Draft): boolean {
  const { now, params } = draft;
  let changed = false;
  for (const member of draft.group.members) {
    if (member.state === 'INITIALIZING' && member.heardSinceInit && isHealthy(member, now, params)) {
      draft.set(
        member,
        'NORMAL',
        'NORMAL',
        `${member.nodeId} reported every critical service running and its database up.`,
      );
      changed = true;
    }
  }
  const due = draft.group.members.filter(
    (m) => m.state === 'INITIALIZING' && m.initDeadline !== null && now >= m.initDeadline,
  );
  if (due.length === 0) return changed;
  const unheard = (m: Member) => !m.heardSinceInit || !isFresh(m, now, params);
  const window = `within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout)`;
  if (due.length === 2 && due.every(unheard)) {
    for (const member of due)
      draft.set(member, 'UNKNOWN', 'UNKNOWN', `Neither node sent a heartbeat ${window}.`);
    return true;
  }
  for (const member of due) {
    const peer = draft.peer(member);
    if (unheard(member)) {
      draft.set(member, 'DOWN', 'INITIALIZATION', `${member.nodeId} sent no heartbeat ${window}.`);
      changed = true;
      continue;
    }
    // Maintenance: no automatic failover; the node is judged when the window ends.
    if (inMaintenance(draft)) continue;
    const fault = reportedFault(member) ?? 'CRITICAL_SERVICE_DOWN';
    const cause = `${member.nodeId} did not report every critical service running and its database up ${window}.`;
    if (canTakeOver(draft, peer) && peer.state === 'NORMAL') {
      takeOver(draft, member, peer, fault, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', cause);
      return true;
    }
    const peerPending =
      peer.state === 'INITIALIZING' && peer.initDeadline !== null && now < peer.initDeadline;
    if (!peerPending) {
      // Nobody can take its users: the pair is failed, with reason Critical Service Down.
      draft.failBoth(
        'CRITICAL_SERVICE_DOWN',
        `${cause} ${peer.nodeId} (${peer.state}) cannot take over its users.`,
      );
      return true;
    }
  }
  return changed;
}

/** A serving node that is DOWN: its healthy peer takes its users, or both have failed. */
function downServingNodeRule(draft: Draft): boolean {
  // Maintenance: a lost node is shown Down, its peer is left as it is (no automatic failover).
  if (inMaintenance(draft)) return false;
  for (const member of draft.group.members) {
    const peer = draft.peer(member);
    if (
      member.state === 'UNKNOWN' &&
      peer.state === 'NORMAL' &&
      canTakeOver(draft, peer) &&
      isSilent(member, peer, draft.now, draft.params)
    ) {
      // Both were lost; the peer is back and healthy, this one is still silent.
      draft.set(
        member,
        'DOWN',
        'PEER_DOWN',
        `${member.nodeId} is still not heard from; ${peer.nodeId} is back and healthy.`,
      );
    }
    if (member.state !== 'DOWN' || !serves(draft, member)) continue;
    // Its silence proves nothing if its agent may not fence: its users stay where they are.
    if (!silenceProvesFence(member) && canTakeOver(draft, peer)) continue;
    if (canTakeOver(draft, peer)) {
      const reason: ReasonCode =
        member.reason === 'PEER_REBOOT'
          ? 'PEER_REBOOT'
          : member.reason === 'INITIALIZATION'
            ? 'PEER_DOWN_DURING_INITIALIZATION'
            : 'PEER_DOWN';
      takeOver(
        draft,
        member,
        peer,
        reason,
        'DOWN',
        draft.causes.get(member.nodeId) ?? `${member.nodeId} is down; ${peer.nodeId} takes over its users.`,
      );
      return true;
    }
    const settled =
      peer.state === 'RUNNING_IN_FAILED_MODE' ||
      peer.state === 'DOWN' ||
      peer.state === 'UNKNOWN' ||
      peer.state === 'INITIALIZING';
    if (!settled) {
      draft.set(
        peer,
        'RUNNING_IN_FAILED_MODE',
        member.reason ?? 'PEER_DOWN',
        `${member.nodeId} is down and ${peer.nodeId} (${peer.state}) cannot take over its users.`,
      );
      return true;
    }
  }
  return false;
}

/** A serving node whose fault has lasted `criticalServiceDelay`. */
function faultRule(draft: Draft): boolean {
  const { now, params } = draft;
  // Maintenance: services stopped for patching start no failover; judged when the window ends.
  if (inMaintenance(draft)) return false;
  for (const member of draft.group.members) {
    if (member.state !== 'NORMAL' && member.state !== 'RUNNING_IN_BACKUP_MODE') continue;
    const fault = expiredFault(member, now, params);
    if (!fault) continue;
    const peer = draft.peer(member);
    const cause = faultCause(draft, member, fault);
    if (member.state === 'NORMAL') {
      if (peer.state === 'INITIALIZING') continue; // the peer's own window decides first
      if (canTakeOver(draft, peer)) {
        takeOver(draft, member, peer, fault, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', cause);
      } else {
        draft.failBoth(
          'CRITICAL_SERVICE_DOWN',
          `${cause} ${peer.nodeId} (${peer.state}) cannot take over its users.`,
        );
      }
      return true;
    }
    // The backup node itself failed: auto-recovery when the failed-over peer is healthy.
    if (canTakeOver(draft, peer)) {
      const reason: ReasonCode =
        fault === 'DATABASE_FAILURE' ? 'AUTO_RECOVER_DATABASE_FAILURE' : 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN';
      // Table 2 prints node 1's reason as "Auto Recover Database Failure" in both rows.
      draft.set(peer, 'BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE', cause);
      draft.set(member, 'FAILOVER_AFFECTED_SERVICES', reason, cause);
      startTakeOver(draft, reason, member, peer);
    } else {
      draft.failBoth(
        'CRITICAL_SERVICE_DOWN',
        `${cause} ${peer.nodeId} (${peer.state}) is not healthy enough to take its users.`,
      );
    }
    return true;
  }
  return false;
}

/** A failed-over node shows whether it is ready for fallback. */
function failedOverRule(draft: Draft): boolean {
  let changed = false;
  for (const member of draft.group.members) {
    if (member.state !== 'FAILED_OVER' && member.state !== 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING')
      continue;
    const healthy = isHealthy(member, draft.now, draft.params);
    if (healthy && member.state !== 'FAILED_OVER') {
      draft.set(
        member,
        'FAILED_OVER',
        member.reason ?? 'UNKNOWN',
        `${member.nodeId} reported every critical service running again; ready for fallback.`,
      );
      changed = true;
    } else if (!healthy && member.state === 'FAILED_OVER') {
      const fault = reportedFault(member) ?? 'CRITICAL_SERVICE_DOWN';
      draft.set(
        member,
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
        member.reason ?? fault,
        `${member.nodeId} reported a critical service or its database down.`,
      );
      changed = true;
    }
  }
  return changed;
}

/**
 * Automatic fallback: a failed-over node that stays healthy for `automaticFallbackDelay`
 * falls back by itself; any fault before then cancels the wait.
 */
function automaticFallbackRule(draft: Draft): boolean {
  const { params, now, group } = draft;
  const failedOver = group.members.find((m) => m.state === 'FAILED_OVER' && group.failedOver === m.nodeId);
  const healthySince = failedOver?.healthySince ?? null;
  if (
    !params.enableAutomaticFallback ||
    failedOver === undefined ||
    healthySince === null ||
    draft.peer(failedOver).state !== 'RUNNING_IN_BACKUP_MODE'
  ) {
    if (group.autoFallback === null) return false;
    group.autoFallback = null;
    return true;
  }
  const peer = draft.peer(failedOver);
  const dueAt = healthySince + params.automaticFallbackDelay * 1000;
  const timer = group.autoFallback;
  if (timer === null || timer.nodeId !== failedOver.nodeId || timer.dueAt !== dueAt) {
    const id = draft.nextId('auto-fallback');
    group.autoFallback = { id, nodeId: failedOver.nodeId, dueAt };
    if (now < dueAt) {
      draft.effects.push({
        type: 'StartWorkflow',
        workflow: 'AUTO_FALLBACK',
        operationId: id,
        fromNode: peer.nodeId,
        toNode: failedOver.nodeId,
        waitSeconds: Math.ceil((dueAt - now) / 1000),
      });
      return true;
    }
  }
  // Maintenance holds a due fallback back; the window's end judges the group again.
  if (now < dueAt || inMaintenance(draft)) return false;
  const cause = `${failedOver.nodeId} stayed healthy for ${params.automaticFallbackDelay} s (automaticFallbackDelay); automatic fallback.`;
  draft.set(failedOver, 'TAKING_BACK', 'AUTOMATIC_FALLBACK', cause);
  draft.set(peer, 'FALLING_BACK', 'AUTOMATIC_FALLBACK', cause);
  draft.startOperation(
    'FALL_BACK',
    'AUTOMATIC_FALLBACK',
    peer,
    failedOver,
    now + params.initializationKeepAliveTimeout * 1000,
  );
  return true;
}

const RULES = [
  silenceRule,
  initializationRule,
  downServingNodeRule,
  faultRule,
  failedOverRule,
  automaticFallbackRule,
];

/**
 * Applies the clock-driven rules (lost heartbeats, initialization windows, critical
 * service delays, automatic fallback, workflow deadlines) until the group is settled.
 * Runs after every event, so a heartbeat detects its peer's silence without waiting for
 * the sweep.
 */
export function evaluate(draft: Draft): void {
  if (!draft.group.highAvailability || draft.group.members.length < 2) return;
  // Each pass applies at most one decisive rule; a handful of passes always settles.
  for (let pass = 0; pass < 8; pass++) {
    if (draft.group.operation) {
      if (!operationRules(draft)) return;
      continue;
    }
    if (!RULES.some((rule) => rule(draft))) return;
  }
}

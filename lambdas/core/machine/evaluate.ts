import type { ReasonCode } from '../catalogue/reasons';
import type { Member } from '../types';
import type { Draft } from './draft';
import { expiredFault, isFresh, isHealthy, isSilent, reportedFault, silentFor, type Fault } from './health';

const secs = (ms: number) => Math.round(ms / 1000);

/** Whether `y` can take the users of its peer right now. */
function canTakeOver(d: Draft, y: Member): boolean {
  const { now, params } = d;
  if (!isFresh(y, now, params) || expiredFault(y, now, params) !== null) return false;
  if (y.state === 'NORMAL') return d.group.failedOver === null;
  return y.state === 'FAILED_OVER' && d.group.failedOver === y.nodeId && isHealthy(y, now, params);
}

/** Starts an automatic take-over of `x`'s users by `y`. */
function takeOver(
  d: Draft,
  x: Member,
  y: Member,
  reason: ReasonCode,
  xState: 'DOWN' | 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
  cause: string,
): void {
  // A node never heard from keeps INITIALIZATION, as in the Peer Down During Initialization row.
  const xReason = reason === 'PEER_DOWN_DURING_INITIALIZATION' ? 'INITIALIZATION' : reason;
  d.set(x, xState, xReason, cause);
  d.set(y, 'TAKING_OVER', reason, cause);
  d.startOperation('TAKE_OVER', reason, x, y, null);
}

/** A node that serves users right now: its own (not failed over) or its peer's. */
function serves(d: Draft, m: Member): boolean {
  return d.group.failedOver !== m.nodeId;
}

function silenceCause(d: Draft, m: Member): string {
  const lost = secs(silentFor(m, d.peer(m), d.now));
  const notice = m.notice ? `; its last heartbeat announced a ${m.notice}` : '';
  return `No heartbeat from ${m.nodeId} for ${lost} s (keepAliveTimeout ${d.params.keepAliveTimeout} s)${notice}.`;
}

function faultCause(d: Draft, m: Member, fault: Fault): string {
  const what =
    fault === 'DATABASE_FAILURE'
      ? 'its database'
      : `critical service(s) ${Object.keys(m.servicesDownSince).sort().join(', ')}`;
  return `${m.nodeId} reported ${what} down for at least ${d.params.criticalServiceDelay} s (criticalServiceDelay).`;
}

/** Rules while a workflow runs: its deadlines, and the loss of a node it depends on. */
function operationRules(d: Draft): boolean {
  const op = d.group.operation;
  if (!op) return false;
  const { now, params } = d;
  if (now > op.expiresAt) {
    d.failBoth(
      'UNKNOWN',
      `Operation ${op.id} did not complete by ${new Date(op.expiresAt).toISOString()}; the workflow is presumed lost (internal system error).`,
    );
    d.endOperation('failed');
    return true;
  }
  const from = d.member(op.from);
  const to = d.member(op.to);
  if (op.kind === 'TAKE_OVER') {
    if (isSilent(to, from, now, params)) {
      d.failBoth(
        'TAKE_OVER_USERS_FAILED',
        `${silenceCause(d, to)} It was taking over the users of ${from.nodeId}.`,
      );
      d.endOperation('failed');
      return true;
    }
    if (from.state !== 'DOWN' && isSilent(from, to, now, params)) {
      d.set(from, 'DOWN', from.reason ?? op.reason, silenceCause(d, from));
      return true;
    }
    return false;
  }
  if (op.kind === 'FALL_BACK') {
    if (isSilent(from, to, now, params)) {
      d.failBoth(
        'TAKE_BACK_USERS_FAILED',
        `${silenceCause(d, from)} It was handing the users back to ${to.nodeId}.`,
      );
      d.endOperation('failed');
      return true;
    }
    if (op.phase === 'AWAIT_SERVICES') {
      const delivered = op.startOrderDeliveredAt ?? null;
      const obeyed = delivered !== null && to.lastHeartbeatAt !== null && to.lastHeartbeatAt > delivered;
      if (obeyed && isHealthy(to, now, params)) {
        op.phase = 'MOVE_USERS';
        return true;
      }
      if (op.servicesDeadline !== null && now > op.servicesDeadline) {
        d.failBoth(
          'START_OF_CRITICAL_SERVICES_FAILED',
          `${to.nodeId} did not report every critical service running within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout) of being told to start them.`,
        );
        d.endOperation('failed');
        return true;
      }
    }
  }
  return false;
}

/** A lost heartbeat: the node is shown DOWN; a serving node's reason says why. */
function silenceRule(d: Draft): boolean {
  const { now, params } = d;
  const exempt = new Set(['DOWN', 'UNKNOWN', 'INITIALIZING']);
  const lost = d.group.members.filter(
    (m) => m.state !== null && !exempt.has(m.state) && isSilent(m, d.peer(m), now, params),
  );
  if (lost.length === 0) return false;
  if (lost.length === 2 && lost.every((m) => m.state === 'NORMAL')) {
    const cause = `Lost the heartbeat of both nodes (keepAliveTimeout ${params.keepAliveTimeout} s); neither can take over.`;
    for (const m of lost) d.set(m, 'UNKNOWN', 'UNKNOWN', cause);
    return true;
  }
  for (const m of lost) {
    const servingState = m.state === 'NORMAL' || m.state === 'RUNNING_IN_BACKUP_MODE';
    const reason: ReasonCode = servingState
      ? m.notice
        ? 'PEER_REBOOT'
        : 'PEER_DOWN'
      : (m.reason ?? 'UNKNOWN');
    d.set(m, 'DOWN', reason, silenceCause(d, m));
  }
  return true;
}

/**
 * INITIALIZING nodes: Normal as soon as a heartbeat shows them healthy; at the end of
 * their window, a node never heard from is DOWN and one with services down fails over.
 */
function initializationRule(d: Draft): boolean {
  const { now, params } = d;
  let changed = false;
  for (const m of d.group.members) {
    if (m.state === 'INITIALIZING' && m.heardSinceInit && isHealthy(m, now, params)) {
      d.set(
        m,
        'NORMAL',
        'NORMAL',
        `${m.nodeId} reported every critical service running and its database up.`,
      );
      changed = true;
    }
  }
  const due = d.group.members.filter(
    (m) => m.state === 'INITIALIZING' && m.initDeadline !== null && now >= m.initDeadline,
  );
  if (due.length === 0) return changed;
  const unheard = (m: Member) => !m.heardSinceInit || !isFresh(m, now, params);
  const window = `within ${params.initializationKeepAliveTimeout} s (initializationKeepAliveTimeout)`;
  if (due.length === 2 && due.every(unheard)) {
    for (const m of due) d.set(m, 'UNKNOWN', 'UNKNOWN', `Neither node sent a heartbeat ${window}.`);
    return true;
  }
  for (const m of due) {
    const y = d.peer(m);
    if (unheard(m)) {
      d.set(m, 'DOWN', 'INITIALIZATION', `${m.nodeId} sent no heartbeat ${window}.`);
      changed = true;
      continue;
    }
    const fault = reportedFault(m) ?? 'CRITICAL_SERVICE_DOWN';
    const cause = `${m.nodeId} did not report every critical service running and its database up ${window}.`;
    if (canTakeOver(d, y) && y.state === 'NORMAL') {
      takeOver(d, m, y, fault, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', cause);
      return true;
    }
    const peerPending = y.state === 'INITIALIZING' && y.initDeadline !== null && now < y.initDeadline;
    if (!peerPending) {
      // Nobody can take its users: the pair is failed (SPEC §3 names it Critical Service Down).
      d.failBoth('CRITICAL_SERVICE_DOWN', `${cause} ${y.nodeId} (${y.state}) cannot take over its users.`);
      return true;
    }
  }
  return changed;
}

/** A serving node that is DOWN: its healthy peer takes its users, or both have failed. */
function downServingNodeRule(d: Draft): boolean {
  for (const x of d.group.members) {
    const y = d.peer(x);
    if (
      x.state === 'UNKNOWN' &&
      y.state === 'NORMAL' &&
      canTakeOver(d, y) &&
      isSilent(x, y, d.now, d.params)
    ) {
      // Both were lost; the peer is back and healthy, this one is still silent.
      d.set(x, 'DOWN', 'PEER_DOWN', `${x.nodeId} is still not heard from; ${y.nodeId} is back and healthy.`);
    }
    if (x.state !== 'DOWN' || !serves(d, x)) continue;
    if (canTakeOver(d, y)) {
      const reason: ReasonCode =
        x.reason === 'PEER_REBOOT'
          ? 'PEER_REBOOT'
          : x.reason === 'INITIALIZATION'
            ? 'PEER_DOWN_DURING_INITIALIZATION'
            : 'PEER_DOWN';
      takeOver(
        d,
        x,
        y,
        reason,
        'DOWN',
        d.causes.get(x.nodeId) ?? `${x.nodeId} is down; ${y.nodeId} takes over its users.`,
      );
      return true;
    }
    const settled =
      y.state === 'RUNNING_IN_FAILED_MODE' ||
      y.state === 'DOWN' ||
      y.state === 'UNKNOWN' ||
      y.state === 'INITIALIZING';
    if (!settled) {
      d.set(
        y,
        'RUNNING_IN_FAILED_MODE',
        x.reason ?? 'PEER_DOWN',
        `${x.nodeId} is down and ${y.nodeId} (${y.state}) cannot take over its users.`,
      );
      return true;
    }
  }
  return false;
}

/** A serving node whose fault has lasted `criticalServiceDelay`. */
function faultRule(d: Draft): boolean {
  const { now, params } = d;
  for (const x of d.group.members) {
    if (x.state !== 'NORMAL' && x.state !== 'RUNNING_IN_BACKUP_MODE') continue;
    const fault = expiredFault(x, now, params);
    if (!fault) continue;
    const y = d.peer(x);
    const cause = faultCause(d, x, fault);
    if (x.state === 'NORMAL') {
      if (y.state === 'INITIALIZING') continue; // the peer's own window decides first
      if (canTakeOver(d, y)) {
        takeOver(d, x, y, fault, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', cause);
      } else {
        d.failBoth('CRITICAL_SERVICE_DOWN', `${cause} ${y.nodeId} (${y.state}) cannot take over its users.`);
      }
      return true;
    }
    // The backup node itself failed: auto-recovery when the failed-over peer is healthy.
    if (canTakeOver(d, y)) {
      const reason: ReasonCode =
        fault === 'DATABASE_FAILURE' ? 'AUTO_RECOVER_DATABASE_FAILURE' : 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN';
      // Table 2 prints node 1's reason as "Auto Recover Database Failure" in both rows.
      d.set(y, 'BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE', cause);
      d.set(x, 'FAILOVER_AFFECTED_SERVICES', reason, cause);
      d.startOperation('TAKE_OVER', reason, x, y, null);
    } else {
      d.failBoth(
        'CRITICAL_SERVICE_DOWN',
        `${cause} ${y.nodeId} (${y.state}) is not healthy enough to take its users.`,
      );
    }
    return true;
  }
  return false;
}

/** A failed-over node shows whether it is ready for fallback. */
function failedOverRule(d: Draft): boolean {
  let changed = false;
  for (const m of d.group.members) {
    if (m.state !== 'FAILED_OVER' && m.state !== 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING') continue;
    const healthy = isHealthy(m, d.now, d.params);
    if (healthy && m.state !== 'FAILED_OVER') {
      d.set(
        m,
        'FAILED_OVER',
        m.reason ?? 'UNKNOWN',
        `${m.nodeId} reported every critical service running again; ready for fallback.`,
      );
      changed = true;
    } else if (!healthy && m.state === 'FAILED_OVER') {
      const fault = reportedFault(m) ?? 'CRITICAL_SERVICE_DOWN';
      d.set(
        m,
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
        m.reason ?? fault,
        `${m.nodeId} reported a critical service or its database down.`,
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
function automaticFallbackRule(d: Draft): boolean {
  const { params, now, group } = d;
  const x = group.members.find((m) => m.state === 'FAILED_OVER' && group.failedOver === m.nodeId);
  const healthySince = x?.healthySince ?? null;
  if (
    !params.enableAutomaticFallback ||
    x === undefined ||
    healthySince === null ||
    d.peer(x).state !== 'RUNNING_IN_BACKUP_MODE'
  ) {
    if (group.autoFallback === null) return false;
    group.autoFallback = null;
    return true;
  }
  const dueAt = healthySince + params.automaticFallbackDelay * 1000;
  const timer = group.autoFallback;
  if (timer === null || timer.nodeId !== x.nodeId || timer.dueAt !== dueAt) {
    const id = d.nextId('auto-fallback');
    group.autoFallback = { id, nodeId: x.nodeId, dueAt };
    if (now < dueAt) {
      const y = d.peer(x);
      d.effects.push({
        type: 'StartWorkflow',
        workflow: 'AUTO_FALLBACK',
        operationId: id,
        fromNode: y.nodeId,
        toNode: x.nodeId,
        waitSeconds: Math.ceil((dueAt - now) / 1000),
      });
      return true;
    }
  }
  if (now < dueAt) return false;
  const y = d.peer(x);
  const cause = `${x.nodeId} stayed healthy for ${params.automaticFallbackDelay} s (automaticFallbackDelay); automatic fallback.`;
  d.set(x, 'TAKING_BACK', 'AUTOMATIC_FALLBACK', cause);
  d.set(y, 'FALLING_BACK', 'AUTOMATIC_FALLBACK', cause);
  d.startOperation(
    'FALL_BACK',
    'AUTOMATIC_FALLBACK',
    y,
    x,
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
export function evaluate(d: Draft): void {
  if (!d.group.highAvailability || d.group.members.length < 2) return;
  // Each pass applies at most one decisive rule; a handful of passes always settles.
  for (let pass = 0; pass < 8; pass++) {
    if (d.group.operation) {
      if (!operationRules(d)) return;
      continue;
    }
    if (!RULES.some((rule) => rule(d))) return;
  }
}

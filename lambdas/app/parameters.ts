import {
  ClusterParametersSchema,
  FENCE_FIELDS,
  fenceRuleBroken,
  judgingParameters,
  type ClusterParameters,
  type ClusterParametersPatch,
  type EnterpriseParameters,
  type TimerChange,
} from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { adminActionRecord, announce, changedFields, inTransaction } from './audit';
import { ValidationError } from './errors';
import { HEARTBEAT_PARAMETERS_CACHE_MS } from './heartbeat';
import type { Ports } from './ports';

/** The parameters as an operator sees them: the control plane's own bookkeeping left out. */
function view(params: ClusterParameters): ClusterParameters {
  const shown = { ...params };
  delete shown.timerChange;
  return shown;
}

export async function clusterParameters(ports: Ports, clusterId: string): Promise<ClusterParameters> {
  return view(await ports.settings.clusterParameters(clusterId));
}

/**
 * What a change of the timers leaves behind (docs/safety.md, "Changing the timers"): the
 * timeout silence must still be judged with, and until when. An agent learns new timers
 * only from an answer computed from them; answers may come from a warm function's copy of
 * the old parameters for {@link HEARTBEAT_PARAMETERS_CACHE_MS}, and an agent cut off
 * since then fences on the old timeout at the latest one old interval and one old
 * timeout after its last such answer. A change made while another settles keeps the
 * larger timeout and the later end. Nothing is kept when no member of the cluster's
 * groups was heard within the old timeout: no agent can be counting on it any more.
 */
function timerChangeAfter(
  current: ClusterParameters,
  next: ClusterParameters,
  now: number,
  heardSince: (since: number) => boolean,
): TimerChange | undefined {
  const settling = current.timerChange && now < current.timerChange.until ? current.timerChange : undefined;
  const changed =
    next.keepAliveTimeout !== current.keepAliveTimeout ||
    next.keepAliveInterval !== current.keepAliveInterval;
  if (!changed) return settling;
  // The timeout the agents may be fencing on right now, the older timers included.
  const oldTimeout = judgingParameters(current, now).keepAliveTimeout;
  // No member heard within the old timeout (and a warm copy's lifetime) can still hold the
  // old timers: an agent answered earlier has fenced already, or was never answered.
  if (!settling && !heardSince(now - oldTimeout * 1000 - HEARTBEAT_PARAMETERS_CACHE_MS)) return undefined;
  const until = now + HEARTBEAT_PARAMETERS_CACHE_MS + (current.keepAliveInterval + oldTimeout) * 1000;
  return {
    keepAliveTimeout: oldTimeout,
    keepAliveInterval: current.keepAliveInterval,
    until: Math.max(until, settling?.until ?? 0),
  };
}

/**
 * Changes cluster-wide parameters. The cross-field rules (timeout > interval, init
 * timeout ≥ timeout) are checked on the merged result, so related values can be raised
 * together; the write is conditional on the version read.
 */
export async function patchClusterParameters(
  ports: Ports,
  clusterId: string,
  patch: ClusterParametersPatch,
  by?: string,
): Promise<ClusterParameters> {
  const stored = await ports.settings.clusterParametersRecord(clusterId);
  const current = stored?.parameters ?? (await ports.settings.clusterParameters(clusterId));
  const merged = ClusterParametersSchema.safeParse({ ...current, ...patch });
  if (!merged.success) {
    throw new ValidationError(
      'The parameters would break a rule; nothing was changed.',
      merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  refuseUnfenceable(merged.data, patch);
  const now = ports.clock.now();
  const changed = { ...merged.data };
  delete changed.timerChange;
  const records = await ports.groups.listByCluster(clusterId);
  const timerChange = timerChangeAfter(current, merged.data, now, (since) =>
    records.some((r) =>
      r.group.members.some((m) => m.lastHeartbeatAt !== null && m.lastHeartbeatAt >= since),
    ),
  );
  const next: ClusterParameters = timerChange ? { ...changed, timerChange } : changed;
  const changedNames = changedFields(current, patch);
  const audit = adminActionRecord(now, {
    action: 'ClusterParametersChanged',
    clusterId,
    changed: changedNames,
    summary: `The parameters of cluster ${clusterId} were changed by ${by ?? 'an unknown caller'}: ${changedNames.join(', ') || 'no value changed'}.`,
    by,
  });
  await ports.settings.saveClusterParameters(
    clusterId,
    next,
    stored?.version ?? 0,
    inTransaction(ports, audit),
  );
  await announce(ports, audit);
  ports.log.info('Cluster parameters changed', {
    clusterId,
    by,
    changed: Object.keys(patch),
    ...(timerChange ? { oldTimersJudgedUntil: new Date(timerChange.until).toISOString() } : {}),
  });
  await reevaluateCluster(ports, clusterId);
  return view(next);
}

/**
 * Refuses timers under which an agent cannot fence before its peer may take its users
 * (see `fenceRuleBroken`), naming the timer fields the request changed. Only a change is
 * judged: parameters stored before the rule existed keep working until they are changed.
 */
function refuseUnfenceable(params: ClusterParameters, patch: ClusterParametersPatch): void {
  const why = fenceRuleBroken(params);
  if (why === null) return;
  const named = FENCE_FIELDS.filter((field) => patch[field] !== undefined);
  if (named.length === 0) return;
  throw new ValidationError(
    'The timers would not let an agent fence itself in time; nothing was changed.',
    named.map((path) => ({ path, message: `${why}.` })),
  );
}

/**
 * Lets the state machine judge every group of the cluster under its new parameters and
 * stores the result: a group's timers (an automatic fallback now enabled, a shorter
 * critical-service delay) are kept with it, and a steady heartbeat never rewrites them.
 * A group that cannot be re-judged now is re-judged by its next heartbeat with a fault,
 * or the sweep; it is logged, not fatal to the change.
 */
async function reevaluateCluster(ports: Ports, clusterId: string): Promise<void> {
  for (const record of await ports.groups.listByCluster(clusterId)) {
    try {
      await applyGroupEvent(ports, record.group.name, { type: 'SweepTick' }, (r) => r);
    } catch (error) {
      ports.log.warn(
        `Group ${record.group.name} was not re-judged under the new parameters of cluster ${clusterId}`,
        {
          error: String(error),
        },
      );
    }
  }
}

export function enterpriseParameters(ports: Ports): Promise<EnterpriseParameters> {
  return ports.settings.enterprise();
}

export async function putEnterpriseParameters(
  ports: Ports,
  body: EnterpriseParameters,
  by?: string,
): Promise<EnterpriseParameters> {
  const changed = changedFields(await ports.settings.enterprise(), body);
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'EnterpriseParametersChanged',
    changed,
    // The mode is no secret, and what an auditor asks about: how users get their home.
    summary: `The enterprise parameters were set by ${by ?? 'an unknown caller'}: user assignment mode ${body.userAssignmentMode}${changed.length === 0 ? ' (unchanged)' : ''}.`,
    by,
  });
  await ports.settings.saveEnterprise(body, inTransaction(ports, audit));
  ports.log.info('Enterprise parameters changed', { ...body, by });
  await announce(ports, audit);
  return body;
}

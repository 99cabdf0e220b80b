import type { Draft } from './draft';

/** The longest maintenance window: a week, so a forgotten one cannot switch HA off for good. */
export const MAX_MAINTENANCE_MS = 7 * 24 * 3600 * 1000;

/** Whether a maintenance window holds automatic failover and fallback back right now. */
export function inMaintenance(draft: Draft): boolean {
  const window = draft.group.maintenance;
  return window !== undefined && window !== null && draft.now < window.until;
}

/** One history line per node (its state unchanged), so the window shows in the group's history. */
function historyLines(draft: Draft, cause: string): void {
  for (const member of draft.group.members) {
    draft.effects.push({
      type: 'AppendHistory',
      entry: {
        at: draft.at,
        nodeId: member.nodeId,
        from: member.state,
        to: member.state,
        reason: member.reason,
        cause,
      },
    });
  }
}

/**
 * Starts a maintenance window, or replaces the one that is on. The caller has checked
 * `until` (after now, at most {@link MAX_MAINTENANCE_MS} ahead).
 */
export function startMaintenance(draft: Draft, reason: string, until: number, by: string): void {
  draft.group.maintenance = { reason, until, by, since: draft.now };
  const untilIso = new Date(until).toISOString();
  historyLines(
    draft,
    `Maintenance started by ${by} until ${untilIso}: ${reason}. No automatic failover or fallback starts until then.`,
  );
  draft.publish({
    detailType: 'MaintenanceStarted',
    group: draft.group.name,
    reason,
    until: untilIso,
    by,
    at: draft.at,
  });
}

/**
 * Ends the maintenance window, if one is on: `by` the caller, or null when it ran out.
 * The evaluation that follows in the same transition judges the group at once.
 *
 * @returns whether a window was on
 */
export function endMaintenance(draft: Draft, by: string | null): boolean {
  const window = draft.group.maintenance;
  if (window === undefined || window === null) return false;
  draft.group.maintenance = null;
  historyLines(
    draft,
    by === null
      ? `Maintenance ended at ${new Date(window.until).toISOString()} as planned (${window.reason}); the group is judged again.`
      : `Maintenance ended early by ${by} (${window.reason}); the group is judged again.`,
  );
  draft.publish({ detailType: 'MaintenanceEnded', group: draft.group.name, by, at: draft.at });
  return true;
}

/** Ends a window whose `until` has come: run before the clock rules, so they apply at once. */
export function endMaintenanceIfDue(draft: Draft): void {
  const window = draft.group.maintenance;
  if (window && draft.now >= window.until) endMaintenance(draft, null);
}

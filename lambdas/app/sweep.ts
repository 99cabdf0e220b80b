import { applyGroupEvent, WORKFLOW_RESTART_AFTER_MS } from './applyGroupEvent';
import type { ClusterParameters } from '../core';
import type { Ports, SettingsRepository } from './ports';

export interface SweepReport {
  visited: number;
  changed: string[];
  /** Groups whose running operation's workflow was started again (in case its start was lost). */
  restarted: string[];
  /**
   * The operations behind `restarted` (present when there are any), so an operator can
   * follow each restarted workflow by its id: in the Step Functions console (the
   * execution is named after it), the group view and the events of the operation.
   */
  restartedOperations?: { group: string; operationId: string; workflow: string }[];
  failed: string[];
}

/**
 * The ports of one sweep, whose cluster parameters are read once per cluster for the
 * whole run instead of once per due group: the groups a sweep judges at a time mostly
 * share a few clusters, and a run lasts seconds, well within how long a heartbeat's
 * function trusts what it read.
 */
function sweepPorts(ports: Ports): Ports {
  const read = new Map<string, Promise<ClusterParameters>>();
  const settings: SettingsRepository = Object.create(ports.settings) as SettingsRepository;
  settings.clusterParameters = (clusterId: string) => {
    let pending = read.get(clusterId);
    if (!pending) {
      pending = ports.settings.clusterParameters(clusterId);
      // A failed read is not remembered: the next group of the cluster reads again.
      pending.catch(() => read.delete(clusterId));
      read.set(clusterId, pending);
    }
    return pending;
  };
  return { ...ports, settings };
}

/**
 * The minute sweep: visits only the groups whose timer or pair silence is due (one
 * query per shard of the two sweep indexes, no scan: its work follows the groups due,
 * not the fleet), and lets the state machine judge each. One group's failure does not
 * stop the others; it is reported and retried at the next sweep.
 */
export async function sweep(allPorts: Ports): Promise<SweepReport> {
  const ports = sweepPorts(allPorts);
  const due = await ports.groups.due(ports.clock.now());
  const report: SweepReport = { visited: due.length, changed: [], restarted: [], failed: [] };
  for (const name of due) {
    try {
      const { record, result } = await applyGroupEvent(ports, name, { type: 'SweepTick' });
      if (result.effects.length > 0) report.changed.push(name);
      const op = record.group.operation;
      const started = result.effects.some((e) => e.type === 'StartWorkflow');
      if (op && !started && ports.clock.now() - op.startedAt >= WORKFLOW_RESTART_AFTER_MS) {
        // Idempotent: a running execution of this operation is found by its name, not started twice.
        await ports.workflows.start({
          group: name,
          operationId: op.id,
          workflow: op.kind,
          fromNode: op.from,
          toNode: op.to,
        });
        report.restarted.push(name);
        (report.restartedOperations ??= []).push({ group: name, operationId: op.id, workflow: op.kind });
        ports.log.warn(
          `Sweep started the ${op.kind} workflow of operation ${op.id} (group ${name}) again: it had run ${Math.round((ports.clock.now() - op.startedAt) / 1000)} s, and its first start may have been lost. A running execution of it is left as it is.`,
          { group: name, operationId: op.id, workflow: op.kind, phase: op.phase },
        );
      }
    } catch (error) {
      report.failed.push(name);
      ports.log.error(`Sweep could not evaluate group ${name}; it is retried at the next sweep.`, {
        group: name,
        error: String(error),
      });
    }
  }
  return report;
}

import { applyGroupEvent, WORKFLOW_RESTART_AFTER_MS } from './applyGroupEvent';
import type { Ports } from './ports';

export interface SweepReport {
  visited: number;
  changed: string[];
  /** Groups whose running operation's workflow was started again (in case its start was lost). */
  restarted: string[];
  failed: string[];
}

/**
 * The minute sweep: visits only the groups whose timer or pair silence is due (two
 * index queries, no scan), and lets the state machine judge each. One group's failure
 * does not stop the others; it is reported and retried at the next sweep.
 */
export async function sweep(ports: Ports): Promise<SweepReport> {
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

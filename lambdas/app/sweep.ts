import { applyGroupEvent } from './applyGroupEvent';
import type { Ports } from './ports';

export interface SweepReport {
  visited: number;
  changed: string[];
  failed: string[];
}

/**
 * The minute sweep: visits only the groups whose timer or pair silence is due (two
 * index queries, no scan), and lets the state machine judge each. One group's failure
 * does not stop the others; it is reported and retried at the next sweep.
 */
export async function sweep(ports: Ports): Promise<SweepReport> {
  const due = await ports.groups.due(ports.clock.now());
  const report: SweepReport = { visited: due.length, changed: [], failed: [] };
  for (const name of due) {
    try {
      const { result } = await applyGroupEvent(ports, name, { type: 'SweepTick' });
      if (result.effects.length > 0) report.changed.push(name);
    } catch (e) {
      report.failed.push(name);
      ports.log.error(`Sweep could not evaluate group ${name}; it is retried at the next sweep.`, {
        group: name,
        error: String(e),
      });
    }
  }
  return report;
}

/**
 * Defect: when the sweep started an operation's workflow again, its report and log named
 * only the group, so an operator could not tell which workflow run to look for. Now the
 * report lists the operation ids and each restart is logged with its operation id.
 */
import { describe, expect, it } from 'vitest';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sweep, type Ports } from '../../../lambdas/app';
import { apiHarness } from '../../support/apiHarness';
import { beat, normalPair } from '../../support/apiPair';

describe('defect: the sweep restarted workflows without naming their operation', () => {
  it('reports and logs the operation id of every workflow it starts again', async () => {
    const h = await apiHarness();
    const { a, b } = await normalPair(h);
    h.sfn.on(StartExecutionCommand).rejectsOnce(new Error('Step Functions unavailable'));
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const operationId = f.body.operation.id as string;
    // imp-a obeys its stop order; a minute later the operation is due for a restart.
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped';
    for (let s = 0; s < 61; s++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    const lines: { message: string; extra?: Record<string, unknown> }[] = [];
    const log: Ports['log'] = {
      info: () => undefined,
      warn: (message, extra) => void lines.push({ message, ...(extra ? { extra } : {}) }),
      error: (message, extra) => void lines.push({ message, ...(extra ? { extra } : {}) }),
    };
    const report = await sweep({ ...h.ports, log });
    expect(report.restarted).toEqual(['prg-1']);
    expect(report.restartedOperations).toEqual([{ group: 'prg-1', operationId, workflow: 'TAKE_OVER' }]);
    const restart = lines.find((l) => l.extra?.operationId === operationId);
    expect(restart?.message).toContain(`operation ${operationId} (group prg-1) again`);
    expect(restart?.extra).toMatchObject({ group: 'prg-1', workflow: 'TAKE_OVER' });
  });
});

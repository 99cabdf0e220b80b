import { inject, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PutCommand } from '../../../lambdas/adapters/dynamodb/commands';
import { DynamoGroupRepository } from '../../../lambdas/adapters/dynamodb/groups';
import { toGroupItem } from '../../../lambdas/adapters/dynamodb/groupItem';
import { createTables, localDocumentDb } from '../../../local/dynamodbLocal';
import {
  isSteadyHeartbeat,
  nextTimerDueAt,
  pairSilentAt,
  servicesReportedDown,
  applySteadyHeartbeat,
  type GroupEvent,
  type GroupState,
} from '../../../lambdas/core';
import { scenario, simulate } from '../../support/pairCommands';

/**
 * The one-write heartbeat is only right if DynamoDB's condition says exactly what the
 * core's isSteadyHeartbeat says. Random pair histories from the simulator are written to
 * DynamoDB Local before each heartbeat, and the adapter's conditional write must succeed
 * exactly when the predicate holds, leaving exactly what applySteadyHeartbeat gives.
 */
describe('the steady-heartbeat condition expression', () => {
  it('agrees with isSteadyHeartbeat on every heartbeat of 60 random pair histories', async () => {
    const endpoint = inject('dynamoEndpoint');
    const tables = await createTables(endpoint, 'steady');
    const db = localDocumentDb(endpoint);
    const repo = new DynamoGroupRepository(db, tables);
    const token = 'a'.repeat(64);
    let checked = 0;
    let written = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const beats: {
          group: GroupState;
          event: Extract<GroupEvent, { type: 'Heartbeat' }>;
          now: number;
          params: never;
        }[] = [];
        simulate(s, (sim) => {
          sim.observer = (group, event, now) => {
            if (event.type === 'Heartbeat') beats.push({ group, event, now, params: sim.params as never });
          };
        });
        for (const { group, event, now, params } of beats.slice(0, 25)) {
          const index = { timerDueAt: nextTimerDueAt(group, params), silentAt: pairSilentAt(group, params) };
          // Stored exactly as the adapter lays a group out, sweep keys included.
          const record = toGroupItem(
            {
              group,
              clusterId: 'c1',
              description: '',
              version: 1,
              tokens: Object.fromEntries(group.nodes.map((n) => [n, token])),
              createdAt: '',
              updatedAt: '',
            },
            index,
          );
          await db.send(new PutCommand({ TableName: tables.groups, Item: record }));
          const expected =
            group.highAvailability &&
            isSteadyHeartbeat(group, event.nodeId, event.heartbeat, now, params, index.timerDueAt);
          const out = await repo.steadyHeartbeat({
            group: group.name,
            memberIndex: group.members.findIndex((m) => m.nodeId === event.nodeId),
            nodeId: event.nodeId,
            tokenHash: token,
            heartbeat: event.heartbeat,
            servicesDown: servicesReportedDown(event.heartbeat, params),
            now,
            params,
          });
          checked += 1;
          expect(out.written, `heartbeat of ${event.nodeId} at ${now}`).toBe(expected);
          if (out.written) {
            written += 1;
            expect(out.record.group).toEqual(applySteadyHeartbeat(group, event.nodeId, event.heartbeat, now));
          }
        }
      }),
      { numRuns: 60 },
    );
    // Both answers must actually occur for the agreement to mean anything.
    expect(written).toBeGreaterThan(50);
    expect(checked - written).toBeGreaterThan(50);
  });
});

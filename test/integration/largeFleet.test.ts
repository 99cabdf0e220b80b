import { describe, expect, it } from 'vitest';
import { BatchWriteCommand } from '../../lambdas/adapters/dynamodb/commands';
import { DEFAULT_NODE_PARAMETERS } from '../../lambdas/core';
import { FUNCTIONS } from '../../lambdas/contract';
import type { NodeRecord } from '../../lambdas/app';
import { inject } from 'vitest';
import { apiHarness } from '../support/apiHarness';
import { localDocumentDb } from '../../local/dynamodbLocal';
import { registerNode } from '../support/apiPair';

const FLEET = 5_000;
/** Nodes registered and grouped through the API, so listing reads real groups. */
const GROUPS = 50;

/**
 * `GET /v1/nodes` over a 5,000-node fleet on DynamoDB Local: every page is answered within
 * the nodes function's timeout, whatever the page size, and following the pages gives every
 * node once. The durations are printed for the record, not judged (speed goals live in
 * `npm run bench`).
 */
describe(`a fleet of ${FLEET} nodes`, () => {
  it('lists, every page, within the function timeout, each node once', async () => {
    const h = await apiHarness();
    for (let g = 0; g < GROUPS; g++) {
      await registerNode(h, `g${g}-a`);
      await registerNode(h, `g${g}-b`);
      const res = await h.call('POST', '/v1/groups', {
        body: { name: `prg-${g}`, nodes: [`g${g}-a`, `g${g}-b`] },
      });
      expect(res.status).toBe(201);
    }
    // The rest written straight to the table: registering 4,900 nodes one request at a
    // time would test registration, not listing.
    const db = localDocumentDb(inject('dynamoEndpoint'));
    const rest: NodeRecord[] = Array.from({ length: FLEET - 2 * GROUPS }, (_, i) => ({
      nodeId: `n-${String(i).padStart(5, '0')}`,
      hostname: `n-${i}.example.com`,
      clusterId: `c${i % 10}`,
      softwareVersion: '15.0',
      publisherId: 'pub-1',
      tokenHash: 'x'.repeat(64),
      group: null,
      parameters: { ...DEFAULT_NODE_PARAMETERS },
      userCount: 0,
      lastHeartbeat: null,
      registeredAt: new Date(h.clock.t).toISOString(),
    }));
    for (let k = 0; k < rest.length; k += 25) {
      let pending = rest.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [h.tables.nodes]: pending } }));
        pending = (out.UnprocessedItems?.[h.tables.nodes] ?? []) as typeof pending;
      }
    }

    const timeoutMs = FUNCTIONS.nodes.timeoutSeconds * 1000;
    const report: string[] = [];
    for (const limit of [100, 1000]) {
      const seen = new Set<string>();
      let grouped = 0;
      let cursor: string | null = null;
      let pages = 0;
      let slowest = 0;
      const started = Date.now();
      do {
        const t0 = Date.now();
        const res = await h.call('GET', '/v1/nodes', {
          query: { limit: String(limit), ...(cursor ? { cursor } : {}) },
          scopes: ['prg/read'],
        });
        const took = Date.now() - t0;
        expect(res.status).toBe(200);
        slowest = Math.max(slowest, took);
        for (const n of res.body.nodes as { nodeId: string; group: string | null }[]) {
          expect(seen.has(n.nodeId)).toBe(false);
          seen.add(n.nodeId);
          if (n.group) grouped += 1;
        }
        cursor = res.body.next;
        pages += 1;
      } while (cursor !== null && pages <= FLEET);
      expect(seen.size).toBe(FLEET);
      expect(grouped).toBe(2 * GROUPS);
      report.push(
        `limit ${limit}: ${pages} pages in ${Date.now() - started} ms, slowest page ${slowest} ms (timeout ${timeoutMs} ms)`,
      );
    }
    console.log(`GET /v1/nodes over ${FLEET} nodes on DynamoDB Local — ${report.join('; ')}`);
  }, 240_000);
});

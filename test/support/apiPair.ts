import { expect } from 'vitest';
import { DEFAULT_CRITICAL_SERVICES } from '../../lambdas/core';
import { healthy, type ApiHarness, type ApiResponse } from './apiHarness';

/** Small timers so scenarios take simulated seconds: interval 1, timeout 3, init 6, delay 2, fallback 5. */
export const FAST = {
  keepAliveInterval: 1,
  keepAliveTimeout: 3,
  initializationKeepAliveTimeout: 6,
  criticalServiceDelay: 2,
  automaticFallbackDelay: 5,
};

export interface NodeAgent {
  id: string;
  token: string;
  bootId: string;
  /** The agent's boot counter, sent as `boot`. */
  boot: number;
  sequence: number;
  services: Record<string, 'running' | 'stopped'>;
  database: 'up' | 'down';
  notice?: 'reboot' | 'shutdown';
  /** What it acknowledges (`heard`): the last answer's group, incarnation and epoch. */
  heard?: { group: string | null; incarnation: string | null; epoch: number } | null;
}

/** Registers a node of cluster `c1` and returns a fake agent for it. */
export async function registerNode(
  h: ApiHarness,
  id: string,
  extra: Record<string, string> = {},
): Promise<NodeAgent> {
  const res = await h.call('POST', '/v1/nodes', {
    body: {
      nodeId: id,
      hostname: `${id}.example.com`,
      clusterId: 'c1',
      softwareVersion: '15.0',
      publisherId: 'pub-1',
      ...extra,
    },
  });
  expect(res.status).toBe(201);
  return {
    id,
    token: res.body.token,
    bootId: `${id}-boot-1`,
    boot: 1,
    sequence: 0,
    services: healthy(DEFAULT_CRITICAL_SERVICES),
    database: 'up',
  };
}

/**
 * One heartbeat of the agent, as its next sequence. `olderAgent`: as an agent of the
 * release before the acknowledgement sends it, with no `heard` field (and learning none).
 */
export async function beat(h: ApiHarness, n: NodeAgent, o: { olderAgent?: boolean } = {}) {
  n.sequence += 1;
  const res = await h.call('POST', `/v1/nodes/${n.id}/heartbeat`, {
    token: n.token,
    scopes: null,
    body: {
      bootId: n.bootId,
      boot: n.boot,
      sequence: n.sequence,
      services: n.services,
      database: n.database,
      ...(n.notice ? { notice: n.notice } : {}),
      ...(o.olderAgent ? {} : { heard: n.heard ?? null }),
    },
  });
  // Like prg-agent, it acknowledges the last answer it heard in its next heartbeat.
  if (res.status === 200 && !o.olderAgent) {
    const a = res.body as { group: string | null; incarnation?: string | null; epoch: number };
    n.heard = { group: a.group, incarnation: a.incarnation ?? null, epoch: a.epoch };
  }
  return res;
}

/**
 * Two healthy nodes of cluster c1 with fast timers, heartbeating, in HA group `prg-1`,
 * both NORMAL.
 */
export async function normalPair(h: ApiHarness) {
  expect((await h.call('PATCH', '/v1/clusters/c1/parameters', { body: FAST })).status).toBe(200);
  const a = await registerNode(h, 'imp-a');
  const b = await registerNode(h, 'imp-b');
  await beat(h, a);
  await beat(h, b);
  const g = await h.call('POST', '/v1/groups', {
    body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
  });
  expect(g.status).toBe(201);
  expect(g.body.nodes.map((n: { state: string }) => n.state)).toEqual(['NORMAL', 'NORMAL']);
  // Each agent hears an answer of the group and acknowledges it, as prg-agent does within
  // an interval: from then on its silence proves its fence (docs/safety.md).
  for (let i = 0; i < 2; i++) for (const agent of [a, b]) await beat(h, agent);
  return { a, b };
}

/** Both nodes' [state, reason] as the group view shows them. */
export async function states(h: ApiHarness, group = 'prg-1'): Promise<string[][]> {
  const res = await h.call('GET', `/v1/groups/${group}`, { scopes: ['prg/read'] });
  return res.body.nodes.map((n: { state: string; reason: string }) => [n.state, n.reason]);
}

/**
 * Asserts an RFC 9457 problem+json answer of `status`; with `paths`, that its `errors`
 * name exactly these fields (in any order).
 */
export function expectProblem(res: ApiResponse, status: number, paths?: string[]): void {
  expect(res.status).toBe(status);
  expect(res.contentType).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (paths) {
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([...paths].sort());
  }
}

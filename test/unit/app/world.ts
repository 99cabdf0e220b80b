import { expect } from 'vitest';
import type { z } from 'zod';
import {
  CreateGroupBodySchema,
  DEFAULT_CRITICAL_SERVICES,
  type HeartbeatResponse,
} from '../../../lambdas/core';
import {
  createGroup,
  getGroup,
  groupView,
  heartbeat,
  HeartbeatCache,
  patchClusterParameters,
  registerNode,
  type GroupView,
} from '../../../lambdas/app';
import { memoryPorts, type MemoryPorts } from '../../support/memory';

/** Small timers so scenarios take simulated seconds: interval 1, timeout 3, init 6, delay 2, fallback 5. */
export const FAST = {
  keepAliveInterval: 1,
  keepAliveTimeout: 3,
  initializationKeepAliveTimeout: 6,
  criticalServiceDelay: 2,
  automaticFallbackDelay: 5,
};

/** What a node's agent knows and reports. */
export interface Agent {
  id: string;
  token: string;
  bootId: string;
  /** The agent's boot counter (0 unless a test sets it). */
  boot?: number;
  sequence: number;
  services: Record<string, 'running' | 'stopped'>;
  database: 'up' | 'down';
  notice?: 'reboot' | 'shutdown';
  /** What it acknowledges (`heard`): the last answer's group, incarnation and epoch; null before one. */
  heard?: { group: string | null; incarnation: string | null; epoch: number } | null;
}

export type World = MemoryPorts & {
  /** The heartbeat function's warm cache (one warm function serves every heartbeat). */
  cache: HeartbeatCache;
  register(
    id: string,
    extra?: Partial<Record<'clusterId' | 'softwareVersion' | 'publisherId', string>>,
  ): Promise<Agent>;
  /** The agent's next heartbeat. */
  beat(agent: Agent): Promise<HeartbeatResponse>;
  /** Both agents beat, `seconds` times, one second apart. */
  beatBoth(a: Agent, b: Agent, seconds?: number): Promise<void>;
  /** Two healthy nodes of cluster c1 with fast timers, heard from, in HA group prg-1, both NORMAL. */
  normalPair(): Promise<{ a: Agent; b: Agent }>;
  /** Creates a group from a request body as the API would parse it. */
  createGroup(body: z.input<typeof CreateGroupBodySchema>): Promise<GroupView>;
  /** Each member's [state, reason], as the group view shows them. */
  states(group?: string): Promise<(string | null)[][]>;
};

/** The use cases over in-memory ports, and a pair of agents to drive them. */
export function world(clockStart?: number): World {
  const m = memoryPorts(clockStart);
  const cache = new HeartbeatCache();
  const w: World = {
    ...m,
    cache,
    async register(id, extra = {}) {
      const { token } = await registerNode(m.ports, {
        nodeId: id,
        hostname: `${id}.example.com`,
        clusterId: 'c1',
        softwareVersion: '15.0',
        publisherId: 'pub-1',
        ...extra,
      });
      return {
        id,
        token,
        bootId: `${id}-boot-1`,
        sequence: 0,
        services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const])),
        database: 'up',
      };
    },
    async beat(agent) {
      agent.sequence += 1;
      const answer = await heartbeat(m.ports, cache, agent.id, agent.token, {
        bootId: agent.bootId,
        boot: agent.boot ?? 0,
        sequence: agent.sequence,
        services: { ...agent.services },
        database: agent.database,
        ...(agent.notice ? { notice: agent.notice } : {}),
        heard: agent.heard ?? null,
      });
      // Like prg-agent, it acknowledges this answer in its next heartbeat.
      agent.heard = { group: answer.group, incarnation: answer.incarnation, epoch: answer.epoch };
      return answer;
    },
    async beatBoth(a, b, seconds = 1) {
      for (let s = 0; s < seconds; s++) {
        m.clock.advance(1000);
        await w.beat(a);
        await w.beat(b);
      }
    },
    async normalPair() {
      await patchClusterParameters(m.ports, 'c1', FAST);
      const a = await w.register('imp-a');
      const b = await w.register('imp-b');
      await w.beat(a);
      await w.beat(b);
      const view = await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
      expect(view.nodes.map((n) => n.state)).toEqual(['NORMAL', 'NORMAL']);
      // Each agent hears an answer of the group and acknowledges it, as prg-agent does
      // within an interval: from then on its silence proves its fence (docs/safety.md).
      for (let i = 0; i < 2; i++) for (const agent of [a, b]) await w.beat(agent);
      return { a, b };
    },
    createGroup(body) {
      return createGroup(m.ports, CreateGroupBodySchema.parse(body));
    },
    async states(group = 'prg-1') {
      return groupView(await getGroup(m.ports, group)).nodes.map((n) => [n.state, n.reason]);
    },
  };
  return w;
}

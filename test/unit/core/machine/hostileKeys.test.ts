import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applySteadyHeartbeat,
  isSteadyHeartbeat,
  nextTimerDueAt,
  transition,
  type ClusterParameters,
  type GroupState,
  type HeartbeatBody,
} from '../../../../lambdas/core';
import { userCount } from '../../../../lambdas/core/assignment/nodes';
import { FAST_PARAMETERS, PairSimulator } from '../../../support/pairSimulator';

/**
 * Names that every plain object already answers to through Object.prototype. Services
 * and node ids come from input, so a record keyed by them must never see these.
 */
const PROTOTYPE_KEYS = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'] as const;

const A = 'imp-a';
const B = 'imp-b';

/** Fails on any number that is not finite, or any function, anywhere in `value`. */
function expectPlainData(value: unknown, path = 'group'): void {
  if (typeof value === 'function') throw new Error(`${path} is a function`);
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${path} is ${value}`).toBe(true);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const key of Reflect.ownKeys(value)) {
    expectPlainData((value as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`);
  }
}

/**
 * A heartbeat reporting `down` stopped and every other critical service running, built
 * the way JSON.parse builds it: every name, `__proto__` included, is an own property.
 */
function beat(bootId: string, boot: number, sequence: number, names: readonly string[], down: Set<string>) {
  const services = Object.fromEntries(
    names.map((s) => [s, down.has(s) ? ('stopped' as const) : ('running' as const)]),
  );
  return { bootId, boot, sequence, services, database: 'up' as const } satisfies HeartbeatBody;
}

interface Run {
  states: string[];
  downKeys: string[];
}

/**
 * A NORMAL pair whose cluster's critical services are changed to `names`; then both
 * nodes heartbeat every second for `seconds`, node A reporting `down` stopped, and the
 * sweep ticks. Returns the pair's states at each second and A's recorded outages.
 */
function drive(names: readonly string[], down: Set<string>, seconds: number): Run {
  const sim = new PairSimulator().startNormal();
  const params: ClusterParameters = { ...FAST_PARAMETERS, criticalServices: [...names] };
  let group: GroupState = sim.group;
  let now = sim.now;
  const seq: Record<string, number> = { [A]: sim.node(A).sequence, [B]: sim.node(B).sequence };
  const states: string[] = [];
  for (let s = 0; s < seconds; s++) {
    now += 1000;
    for (const id of [A, B]) {
      seq[id] = seq[id]! + 1;
      const n = sim.node(id);
      const hb = beat(n.bootId, n.boots, seq[id]!, names, id === A ? down : new Set());
      const steady = isSteadyHeartbeat(group, id, hb, now, params, nextTimerDueAt(group, params));
      const result = transition(group, { type: 'Heartbeat', nodeId: id, heartbeat: hb }, now, params);
      // The one-write path must agree with the state machine whatever the names are.
      if (steady) expect(result.group).toEqual(applySteadyHeartbeat(group, id, hb, now));
      group = result.group;
      expectPlainData(group);
    }
    group = transition(group, { type: 'SweepTick' }, now, params).group;
    expectPlainData(group);
    states.push(group.members.map((m) => `${m.state}/${m.reason}`).join(' + '));
  }
  const a = group.members.find((m) => m.nodeId === A)!;
  return { states, downKeys: Object.keys(a.servicesDownSince).sort() };
}

describe('service names that Object.prototype already answers to', () => {
  it.each(PROTOTYPE_KEYS)(
    '%s as a critical service: timed like any other, failover once it stays down',
    (name) => {
      const names = [name, 'Cisco SIP Proxy'];
      const healthy = drive(names, new Set(), 6);
      expect(healthy.states.at(-1)).toBe('NORMAL/NORMAL + NORMAL/NORMAL');
      expect(healthy.downKeys).toEqual([]);

      const failed = drive(names, new Set([name]), 6);
      expect(failed.states[0]).toBe('NORMAL/NORMAL + NORMAL/NORMAL');
      expect(failed.states.at(-1)).toMatch(
        /^FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING\/CRITICAL_SERVICE_DOWN \+ /,
      );
    },
  );

  it('behaves exactly as with ordinary names, whatever names and faults are drawn', () => {
    const serviceName = fc.oneof(
      fc.constantFrom(...PROTOTYPE_KEYS),
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s.length > 0),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(serviceName, { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (names, stopped) => {
          const down = new Set(names.filter((_, i) => stopped[i]));
          // The same cluster with every name replaced by a harmless one.
          const plain = names.map((_, i) => `service-${i}`);
          const plainDown = new Set(plain.filter((_, i) => stopped[i]));
          const hostile = drive(names, down, 5);
          const reference = drive(plain, plainDown, 5);
          expect(hostile.states).toEqual(reference.states);
          expect(hostile.downKeys).toEqual([...down].sort());
          if (down.size > 0) {
            expect(hostile.states.at(-1)).toMatch(/^FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING\//);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('node ids that Object.prototype already answers to', () => {
  it.each(PROTOTYPE_KEYS)('%s has no users when the counts do not name it', (id) => {
    expect(userCount({ 'imp-a': 3 }, id)).toBe(0);
    expect(userCount(Object.fromEntries([[id, 4]]), id)).toBe(4);
  });
});

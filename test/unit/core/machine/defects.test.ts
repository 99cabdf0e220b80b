import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CLOCK_DRIFT,
  DEFAULT_CLUSTER_PARAMETERS,
  fenceAfterSeconds,
  fenceRuleBroken,
  heartbeatResponse,
  transition,
  type GroupEvent,
} from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';
import { play, scenario } from '../../../support/pairCommands';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const A = 'imp-a';
const B = 'imp-b';

describe('automatic fallback is timed from before the outage', () => {
  it('a node back after an outage longer than automaticFallbackDelay waits the whole delay before falling back', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.node(A).alive = false;
    // Lost, taken over, and silent for far longer than the fallback delay.
    sim.run(p.keepAliveTimeout + p.automaticFallbackDelay * 3);
    expect(sim.pair()).toEqual([
      ['DOWN', 'PEER_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
    ]);
    sim.node(A).alive = true;
    sim.run(1);
    const back = sim.now;
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER', 'PEER_DOWN']);
    expect(sim.group.autoFallback?.dueAt).toBe(back + p.automaticFallbackDelay * 1000);
    sim.run(p.automaticFallbackDelay - 1);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER', 'PEER_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
    ]);
    sim.run(4);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('a failed-over node that falls silent and comes back restarts the wait', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    sim.node(A).alive = false;
    sim.run(p.automaticFallbackDelay * 2);
    expect(sim.stateOf(A)[0]).toBe('DOWN');
    sim.node(A).alive = true;
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    expect(sim.group.autoFallback?.dueAt).toBe(sim.now + p.automaticFallbackDelay * 1000);
  });

  it('never starts an automatic fallback before the node has been heard, healthy and without a gap, for the delay (random sequences)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // The test keeps its own account of each node's current healthy run, from the
        // heartbeats the control plane accepted, independently of the group's facts.
        const sim = new PairSimulator({ ...p, enableAutomaticFallback: true });
        const runStart = new Map<string, number | null>();
        const lastHeard = new Map<string, number>();
        const seen: { event: GroupEvent; now: number }[] = [];
        sim.observer = (_group, event, now) => seen.push({ event, now });
        let checked = 0;
        const check = () => {
          for (; checked < sim.results.length; checked++) {
            const { event, now } = seen[checked]!;
            const result = sim.results[checked]!;
            if (event.type === 'Heartbeat' && result.outcome === 'applied') {
              const hb = event.heartbeat;
              const healthy =
                hb.database === 'up' && p.criticalServices.every((x) => hb.services[x] === 'running');
              const previous = lastHeard.get(event.nodeId);
              const gap = previous === undefined || now - previous > p.keepAliveTimeout * 1000;
              const start = runStart.get(event.nodeId) ?? null;
              runStart.set(event.nodeId, healthy ? (gap || start === null ? now : start) : null);
              lastHeard.set(event.nodeId, now);
            }
            const op = result.group.operation;
            const before = checked === 0 ? null : sim.results[checked - 1]!.group.operation;
            if (op && op.reason === 'AUTOMATIC_FALLBACK' && op.id !== before?.id) {
              const since = runStart.get(op.to) ?? null;
              expect(since, `${op.to} fell back without a healthy run`).not.toBeNull();
              expect(now - since!).toBeGreaterThanOrEqual(p.automaticFallbackDelay * 1000);
            }
          }
        };
        if (s.haFromStart) sim.startNormal();
        check();
        for (const c of s.commands) {
          play(sim, c);
          check();
        }
      }),
      { numRuns: 4000 },
    );
  });
});

describe('a heartbeat from an older boot is taken as a restart', () => {
  const healthy = () => Object.fromEntries(p.criticalServices.map((s) => [s, 'running' as const]));

  /** A heartbeat the node sent before its restart, delivered late. */
  function delayedFromBefore(sim: PairSimulator, id: string, boot: number, bootId: string, sequence: number) {
    return sim.apply({
      type: 'Heartbeat',
      nodeId: id,
      heartbeat: { bootId, boot, sequence, services: healthy(), database: 'up' },
    });
  }

  it('a delayed heartbeat from before a restart is refused as STALE_BOOT and changes nothing', () => {
    const sim = new PairSimulator().startNormal();
    const { bootId, boots } = sim.node(A);
    sim.restartSrm(A);
    sim.run(2);
    const before = sim.group;
    // A sequence far above the new boot's: only the boot can tell that it is older.
    const r = delayedFromBefore(sim, A, boots, bootId, 1000);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
    expect(r.effects).toEqual([expect.objectContaining({ type: 'Refuse', code: 'STALE_BOOT' })]);
    const refusal = r.effects[0] as { message: string };
    expect(refusal.message).toMatch(/boot 1 of node imp-a, older than boot 2 already heard; it was ignored/);
  });

  it('a delayed heartbeat from before the restart of a backup node does not make it restart again', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expect(sim.stateOf(B)).toEqual(['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN']);
    const { bootId, boots, sequence } = sim.node(B);
    sim.restartSrm(B);
    sim.run(1);
    const before = sim.group;
    const r = delayedFromBefore(sim, B, boots, bootId, sequence + 1);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
  });

  it('the same boot number with another bootId is refused too: the counter went backwards', () => {
    const sim = new PairSimulator().startNormal();
    const before = sim.group;
    const r = delayedFromBefore(sim, A, sim.node(A).boots, 'imp-a-copy', 1);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
  });

  it('a higher boot is a restart, whatever its sequence and bootId', () => {
    const sim = new PairSimulator().startNormal();
    const r = delayedFromBefore(sim, A, sim.node(A).boots + 5, 'any-new-id', 0);
    expect(r.outcome).toBe('applied');
    expect(sim.group.members[0]!.boot).toBe(sim.node(A).boots + 5);
  });
});

describe('changing keepAliveTimeout/keepAliveInterval causes false failovers and a split-brain window', () => {
  const slow = { ...p, keepAliveInterval: 5, keepAliveTimeout: 15, initializationKeepAliveTimeout: 30 };
  const healthy = () => Object.fromEntries(p.criticalServices.map((s) => [s, 'running' as const]));

  /** A pair beating every 5 s; b's last heartbeat is 4 s old, a's is fresh. */
  function pairWithLateB() {
    const sim = new PairSimulator(slow).startNormal();
    sim.node(B).alive = false;
    const lastB = sim.group.members[1]!.lastHeartbeatAt!;
    const hbA = (seq: number) => ({
      type: 'Heartbeat' as const,
      nodeId: A,
      heartbeat: {
        bootId: sim.node(A).bootId,
        boot: sim.node(A).boots,
        sequence: seq,
        services: healthy(),
        database: 'up' as const,
      },
    });
    return { sim, lastB, hbA };
  }

  it('lowering the timeout does not find a node silent by the new timeout while its agent may still fence on the old one', () => {
    const { sim, lastB, hbA } = pairWithLateB();
    const changedAt = lastB + 4000;
    // What the PATCH stores: the new timers, and the old timeout until the change settles.
    const lowered = {
      ...slow,
      keepAliveInterval: 1,
      keepAliveTimeout: 3,
      timerChange: { keepAliveTimeout: 15, keepAliveInterval: 5, until: changedAt + 10_000 + 20_000 },
    };
    let group = transition(sim.group, { type: 'SweepTick' }, changedAt, lowered).group;
    expect(group.members.map((m) => m.state)).toEqual(['NORMAL', 'NORMAL']);
    // a keeps beating; b's agent, told 15 s, has not fenced yet at 14 s.
    const seq = sim.node(A).sequence + 1;
    group = transition(group, hbA(seq), lastB + 14_000, lowered).group;
    expect(group.members.map((m) => m.state)).toEqual(['NORMAL', 'NORMAL']);
    // Past the old timeout b is lost, as it was before the change.
    group = transition(group, hbA(seq + 1), lastB + 15_500, lowered).group;
    expect(group.members[1]!.state).toBe('DOWN');
    expect(group.members[0]!.state).toBe('TAKING_OVER');
  });

  it('once the change has settled, silence is judged with the new timeout alone', () => {
    const { sim, lastB, hbA } = pairWithLateB();
    const lowered = {
      ...slow,
      keepAliveInterval: 1,
      keepAliveTimeout: 3,
      timerChange: { keepAliveTimeout: 15, keepAliveInterval: 5, until: lastB + 3_500 },
    };
    // a is heard 2 s after b's last heartbeat while the change settles, then after it.
    const seq = sim.node(A).sequence;
    const settling = transition(sim.group, hbA(seq + 1), lastB + 2000, lowered).group;
    const group = transition(settling, hbA(seq + 2), lastB + 4000, lowered).group;
    expect(group.members[1]!.state).toBe('DOWN');
  });

  it('raising the timeout takes effect at once: the larger timeout is the new one', () => {
    const { sim, lastB, hbA } = pairWithLateB();
    const raised = {
      ...slow,
      keepAliveTimeout: 30,
      timerChange: { keepAliveTimeout: 15, keepAliveInterval: 5, until: lastB + 60_000 },
    };
    const group = transition(sim.group, hbA(sim.node(A).sequence + 1), lastB + 20_000, raised).group;
    expect(group.members.map((m) => m.state)).toEqual(['NORMAL', 'NORMAL']);
  });
});

describe('self-fencing stops too late', () => {
  it('the answer tells the agent to start fencing early enough for its declared stop time to end before keepAliveTimeout', () => {
    const sim = new PairSimulator({
      ...p,
      keepAliveTimeout: 60,
      keepAliveInterval: 15,
      serviceStopSeconds: 20,
    });
    sim.startNormal();
    const answer = heartbeatResponse(sim.group, A, sim.params, sim.now);
    expect(answer).toMatchObject({ keepAliveTimeoutSeconds: 60, serviceStopSeconds: 20 });
    // 60 s less the 20 s stop, 0.5 s of slack and 0.1 % of drift over 60 s, to a tenth below.
    expect(answer.fenceAfterSeconds).toBe(39.4);
    // Fence, drift and stop end before the control plane may find the node silent.
    expect(answer.fenceAfterSeconds * (1 + CLOCK_DRIFT) + 20).toBeLessThan(60);
  });

  it('timers that leave less than two heartbeat intervals before the fence are refused, naming why', () => {
    const params = { ...DEFAULT_CLUSTER_PARAMETERS, serviceStopSeconds: 40 };
    expect(fenceRuleBroken(params)).toMatch(
      /less than two keepAliveInterval \(30 s\): one lost answer would fence a healthy node/,
    );
    expect(fenceRuleBroken({ ...params, serviceStopSeconds: 29 })).toBeNull();
    expect(fenceRuleBroken({ ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 30 })).not.toBeNull();
    // The pair timers the tests use (interval 1, timeout 3) still fence in time.
    expect(fenceRuleBroken(p)).toBeNull();
  });
});

describe('manual failover moves users before the failing node has stopped', () => {
  it('users stay on the failing node until its heartbeat reports its critical services stopped', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFailover', nodeId: A });
    expect(sim.group.operation?.phase).toBe('AWAIT_STOP');
    // The workflow may not move them yet: the node has not even heard its stop order.
    expect(sim.completeWorkflow()).toBeNull();
    expect(sim.servingNodeOf(A)).toBe(A);
    sim.heartbeat(A); // answered 'stop'; this report still shows the services running
    expect(sim.group.operation?.phase).toBe('AWAIT_STOP');
    expect(sim.pair()).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
    sim.heartbeat(A); // services stopped
    expect(sim.group.operation?.phase).toBe('MOVE_USERS');
    expect(sim.completeWorkflow()?.outcome).toBe('applied');
    expect(sim.pair()).toEqual([
      ['IDLE', 'ON_ADMIN_REQUEST'],
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);
    expect(sim.servingNodeOf(A)).toBe(B);
  });

  it('a failing node that falls silent keeps its users until it has been silent past keepAliveTimeout, when its fence has stopped them', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.node(A).alive = false; // cut off before it heard the stop order
    const last = sim.group.members[0]!.lastHeartbeatAt!;
    while (sim.now < last + p.keepAliveTimeout * 1000) {
      sim.run(1);
      if (sim.now <= last + p.keepAliveTimeout * 1000) expect(sim.servingNodeOf(A)).toBe(A);
    }
    sim.run(2);
    expect(sim.servingNodeOf(A)).toBe(B);
    expect(sim.stateOf(A)[0]).toBe('DOWN');
    expect(sim.stateOf(B)[0]).toBe('RUNNING_IN_BACKUP_MODE');
  });

  it('a failing node still reporting its services running when the wait ends fails the operation, its users staying on it', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    for (let s = 0; s < p.initializationKeepAliveTimeout + 2; s++) {
      sim.run(1);
      sim.node(A).stoppedByOrder = false; // its stop command does nothing
    }
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
    ]);
    expect(sim.servingNodeOf(A)).toBe(A);
  });
});

describe('issue 9: a take-over the operator did not ask for moves users only once the failing node has stopped', () => {
  it('a take-over for a crashed service waits until the failing node has stopped, even when its answers are lost', () => {
    const sim = new PairSimulator().startNormal();
    const fenceAfterMs = fenceAfterSeconds(p) * 1000;
    sim.crash(A);
    // The answers to A stop arriving from the moment the take-over is decided: A never
    // hears its stop order, and fences fenceAfterSeconds after its last answered heartbeat.
    let lastAnswered = sim.node(A).lastSentAt!;
    for (let s = 0; s < p.criticalServiceDelay + 3 && sim.stateOf(B)[0] === 'NORMAL'; s++) {
      lastAnswered = sim.node(A).lastSentAt!;
      sim.run(1);
    }
    expect(sim.stateOf(B)[0]).toBe('TAKING_OVER');
    let fenced = false;
    let repaired = false;
    for (let s = 0; s < 3 * p.keepAliveTimeout && sim.servingNodeOf(A) === A; s++) {
      // Someone starts the crashed service again by hand: A serves its users once more.
      if (!repaired) {
        sim.repair(A);
        repaired = true;
      }
      if (sim.now >= lastAnswered + fenceAfterMs) fenced = true;
      sim.node(A).stoppedByOrder = fenced; // its answers are lost; only its fence stops it
      sim.run(1);
      sim.node(A).stoppedByOrder = fenced;
    }
    expect(sim.servingNodeOf(A)).toBe(B);
    // The users left A only after its own fence had stopped its services.
    expect(fenced).toBe(true);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });

  it('an auto-recovery waits until the failed backup node has stopped before moving every user to the failed-over node', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 1);
    expect(sim.stateOf(B)[0]).toBe('FAILOVER_AFFECTED_SERVICES');
    // B is told to stop and keeps the users until its stopped report counts.
    expect(heartbeatResponse(sim.group, B, p, sim.now).serviceOrder).toBe('stop');
    expect(sim.servingNodeOf(A)).toBe(B);
    sim.run(STOP_WAIT);
    expect(sim.servingNodeOf(B)).toBe(A);
    expect(sim.stateOf(A)[0]).toBe('RUNNING_IN_BACKUP_MODE');
  });
});

import { describe, expect, it } from 'vitest';
import { HeartbeatLoop, retryDelayMs } from '../../../agent/heartbeatLoop';
import { FakeClock } from './support/fakeClock';

/**
 * A loop on a fake clock whose heartbeats are acknowledged (or not, as `acknowledge`
 * says), each taking `latencyMs`; an acknowledged one sets the interval to what the
 * control plane answered (`answeredIntervalMs`), as the agent does. `sent` holds when
 * each heartbeat went out.
 */
function beating(options: { latencyMs?: number; random?: () => number } = {}) {
  const clock = new FakeClock();
  const sent: number[] = [];
  let acknowledge = true;
  let answeredIntervalMs = 5_000;
  const loop: HeartbeatLoop = new HeartbeatLoop(
    async () => {
      const sentAt = clock.now();
      sent.push(sentAt);
      if (options.latencyMs)
        await new Promise<void>((resolve) => clock.setTimer(resolve, options.latencyMs!));
      if (acknowledge) loop.intervalMs = answeredIntervalMs;
      return { acknowledged: acknowledge, sentAt };
    },
    options.random ?? (() => 1),
    clock,
  );
  return {
    clock,
    loop,
    sent,
    /** The gaps between consecutive heartbeats. */
    gaps: () => sent.slice(1).map((at, i) => at - sent[i]!),
    setAcknowledge: (value: boolean) => void (acknowledge = value),
    answerInterval: (ms: number) => void (answeredIntervalMs = ms),
  };
}

describe('the heartbeat schedule', () => {
  it('sends the first heartbeat at once, then one per interval', async () => {
    const { clock, loop, sent } = beating();
    const start = clock.now();
    loop.intervalMs = 5_000;
    loop.start();
    await clock.advance(0);
    expect(sent).toEqual([start]);
    await clock.advance(20_000);
    expect(sent).toEqual([start, start + 5_000, start + 10_000, start + 15_000, start + 20_000]);
  });

  it('counts the interval from when a heartbeat was sent, so a slow answer does not stretch it', async () => {
    const { clock, loop, gaps } = beating({ latencyMs: 1_500 });
    loop.intervalMs = 5_000;
    loop.start();
    await clock.advance(30_000);
    expect(gaps().length).toBeGreaterThanOrEqual(5);
    expect(new Set(gaps())).toEqual(new Set([5_000]));
  });

  it('follows the interval the control plane answers with, from the heartbeat it answers', async () => {
    const { clock, loop, gaps, answerInterval } = beating();
    loop.start();
    await clock.advance(9_000); // heartbeats at 0 and 5 s
    answerInterval(2_000); // the answer to the next one says nextHeartbeatSeconds: 2
    await clock.advance(6_000); // 10, 12, 14 s
    answerInterval(15_000);
    await clock.advance(31_000); // 16, 31, 46 s
    expect(gaps()).toEqual([5_000, 5_000, 2_000, 2_000, 2_000, 15_000, 15_000]);
  });

  it('retries an unacknowledged heartbeat sooner, backing off up to the interval and never beyond it', async () => {
    const { clock, loop, gaps, setAcknowledge } = beating({ random: () => 1 });
    loop.intervalMs = 5_000;
    setAcknowledge(false);
    loop.start();
    await clock.advance(30_000);
    expect(gaps().slice(0, 6)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);

    setAcknowledge(true);
    const recovered = gaps().length;
    await clock.advance(20_000);
    expect(gaps().slice(recovered + 1)).toEqual([5_000, 5_000, 5_000]);
  });

  it('soon() sends the next heartbeat at once while the control plane answers (an order’s effect is seen now)', async () => {
    const { clock, loop, sent, answerInterval } = beating();
    answerInterval(10_000);
    loop.start();
    await clock.advance(3_000);
    loop.soon();
    await clock.advance(0);
    expect(sent.length).toBe(2);
    expect(sent[1]! - sent[0]!).toBe(3_000);
  });

  it('soon() during a heartbeat on its way sends another right after it', async () => {
    const { clock, loop, sent, answerInterval } = beating({ latencyMs: 1_000 });
    answerInterval(10_000);
    loop.start();
    await clock.advance(400);
    loop.soon();
    await clock.advance(600);
    expect(sent.length).toBe(2);
    expect(sent[1]! - sent[0]!).toBe(1_000);
  });

  it('during an outage soon() does not hurry: the backoff decides', async () => {
    const { clock, loop, sent, setAcknowledge } = beating({ random: () => 1 });
    loop.intervalMs = 5_000;
    setAcknowledge(false);
    loop.start();
    await clock.advance(100);
    loop.soon();
    await clock.advance(0);
    expect(sent.length).toBe(1);
  });

  it('stop() ends the heartbeats', async () => {
    const { clock, loop, sent } = beating();
    loop.intervalMs = 5_000;
    loop.start();
    await clock.advance(5_000);
    await loop.stop(1_000);
    await clock.advance(60_000);
    expect(sent.length).toBe(2);
    expect(clock.pending).toBe(0);
  });
});

describe('retryDelayMs', () => {
  it('doubles from 0.5 s per failure, capped at the interval, drawn between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 5_000, () => 1))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 5_000, () => 0))).toEqual([
      250, 500, 1_000, 2_000, 2_500,
    ]);
    expect(retryDelayMs(1_000, 60_000, () => 1)).toBe(60_000);
  });
});

import { describe, expect, it } from 'vitest';
import { Fence } from '../../../agent/fencing';
import { FakeClock } from './support/fakeClock';

const TIMEOUT_MS = 10_000;

/** A fence on a fake clock that records each time it fires, and whether the node fenced. */
function watch(options: { fences?: boolean } = {}) {
  const clock = new FakeClock();
  const fired: { at: number; silentMs: number }[] = [];
  const fence = new Fence(
    TIMEOUT_MS,
    (silentMs) => {
      fired.push({ at: clock.now(), silentMs });
      return options.fences ?? true;
    },
    clock,
    // These tests are about the timeout's clock: no stop margin (see the defect 6 tests).
    0,
  );
  return { clock, fence, fired, start: clock.now() };
}

describe('self-fencing: the node stops serving when the control plane is silent for keepAliveTimeout', () => {
  it('fences keepAliveTimeout after the last acknowledged heartbeat was sent, not after its answer arrived', async () => {
    const { clock, fence, fired, start } = watch();
    fence.arm();
    await clock.advance(1_000);
    const sentAt = clock.now();
    await clock.advance(4_000); // a slow answer: acknowledged 4 s after it was sent
    expect(fence.acknowledged(sentAt)).toBeNull();

    await clock.advanceTo(sentAt + TIMEOUT_MS - 1);
    expect(fence.fenced).toBe(false);
    await clock.advanceTo(sentAt + TIMEOUT_MS);
    expect(fence.fenced).toBe(true);
    expect(fired).toEqual([{ at: start + 1_000 + TIMEOUT_MS, silentMs: TIMEOUT_MS }]);
  });

  it('before any acknowledgement, counts from when the agent started', async () => {
    const { clock, fence, fired, start } = watch();
    fence.arm();
    await clock.advance(TIMEOUT_MS - 1);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([{ at: start + TIMEOUT_MS, silentMs: TIMEOUT_MS }]);
  });

  it('never fences while acknowledgements keep coming', async () => {
    const { clock, fence, fired } = watch();
    fence.arm();
    for (let i = 0; i < 60; i++) {
      await clock.advance(TIMEOUT_MS / 2);
      fence.acknowledged(clock.now());
    }
    await clock.advance(TIMEOUT_MS - 1);
    expect(fired).toEqual([]);
    expect(fence.fenced).toBe(false);
  });

  it('a late answer to an older heartbeat does not move the deadline back', async () => {
    const { clock, fence, fired, start } = watch();
    fence.arm();
    fence.acknowledged(start + 2_000);
    fence.acknowledged(start); // the answer to an earlier heartbeat, overtaken
    await clock.advanceTo(start + 2_000 + TIMEOUT_MS - 1);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toHaveLength(1);
  });

  it('fences once per silence: no second call while the silence lasts', async () => {
    const { clock, fence, fired } = watch();
    fence.arm();
    await clock.advance(10 * TIMEOUT_MS);
    expect(fired).toHaveLength(1);
    expect(fence.since).toBe(fired[0]!.at);
  });

  it('the next acknowledgement ends the fence, says for how long it lasted, and watches again', async () => {
    const { clock, fence, fired, start } = watch();
    fence.arm();
    await clock.advance(TIMEOUT_MS + 7_000);
    expect(fence.fenced).toBe(true);

    const sentAt = clock.now();
    expect(fence.acknowledged(sentAt)).toBe(7_000);
    expect(fence.fenced).toBe(false);
    expect(fence.acknowledged(sentAt)).toBeNull();

    await clock.advanceTo(sentAt + TIMEOUT_MS);
    expect(fired.map((f) => f.at)).toEqual([start + TIMEOUT_MS, sentAt + TIMEOUT_MS]);
  });

  it('takes the keepAliveTimeout the control plane answers with', async () => {
    const { clock, fence, fired } = watch();
    fence.arm();
    const sentAt = clock.now();
    fence.acknowledged(sentAt, 3_000);
    expect(fence.timeoutSeconds).toBe(3);
    await clock.advanceTo(sentAt + 2_999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([{ at: sentAt + 3_000, silentMs: 3_000 }]);
  });

  it('a node the fence may not stop (no HA group) is not counted as fenced', async () => {
    const { clock, fence, fired } = watch({ fences: false });
    fence.arm();
    await clock.advance(3 * TIMEOUT_MS);
    expect(fired).toHaveLength(1);
    expect(fence.fenced).toBe(false);
    expect(fence.acknowledged(clock.now())).toBeNull();
  });

  it('disarmed (the agent exits), it never fires; reset, it counts from the reset', async () => {
    const { clock, fence, fired } = watch();
    fence.arm();
    fence.disarm();
    await clock.advance(3 * TIMEOUT_MS);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);

    const resetAt = clock.now();
    fence.reset();
    await clock.advance(TIMEOUT_MS);
    expect(fired).toEqual([{ at: resetAt + TIMEOUT_MS, silentMs: TIMEOUT_MS }]);
  });
});

/**
 * Time as the agent reads it and waits on it. Fencing and the heartbeat schedule take a
 * clock rather than reading globals, so that tests can drive them with a fake one; the
 * agent itself runs on `systemClock`.
 */
export interface Clock {
  /**
   * Milliseconds on a clock that never goes back. Only differences matter: a wall clock
   * stepped back by NTP must not postpone self-fencing.
   */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a function that cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

/**
 * The process's monotonic clock, in whole milliseconds (durations derived from it reach
 * `AbortSignal.timeout`, which takes integers only), and Node's timers.
 */
export const systemClock: Clock = {
  now: () => Math.floor(performance.now()),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

/** Resolves after `ms` milliseconds of `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}

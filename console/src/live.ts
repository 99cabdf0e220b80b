/**
 * Following changes without a reload. Locally the embedded default streams its events
 * (`GET /v1/events`); EventSource cannot send the Authorization header, so the stream is
 * read with fetch through the typed client. On AWS there is no stream: pages reread every
 * few seconds. Either way, pages subscribe to "something may have changed" ticks and
 * the header shows how fresh what is on screen is.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError } from './session';

type Listener = () => void;
const listeners = new Set<Listener>();

/** What the freshness line shows. */
export interface LiveStatus {
  mode: 'sse' | 'poll';
  connected: boolean;
  /** The stream was connected once and dropped: "reconnecting", not "connecting". */
  dropped: boolean;
  /** When the data on screen was last read from the API. */
  refreshedAt: number | null;
  error: string | null;
}

let status: LiveStatus = { mode: 'poll', connected: false, dropped: false, refreshedAt: null, error: null };
const statusListeners = new Set<(s: LiveStatus) => void>();
function setStatus(patch: Partial<LiveStatus>) {
  status = { ...status, ...patch };
  for (const l of statusListeners) l(status);
}

const POLL_MS = 3000;
let stopLive: (() => void) | null = null;

/** Tells every page to reread, at most once per animation-ish moment. */
let pending: ReturnType<typeof setTimeout> | null = null;
function tick() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    for (const l of listeners) l();
  }, 150);
}

/** Reads the event stream until it ends or is aborted, ticking on every event. */
async function readStream(signal: AbortSignal): Promise<void> {
  const res = await api.raw('GET /v1/events', undefined, { signal });
  if (!res.ok || !res.body) throw new Error(`the event stream answered HTTP ${res.status}`);
  setStatus({ connected: true, error: null });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      // Comments (keep-alives) start with ':'; anything else is an event.
      if (frame.split('\n').some((line) => line.startsWith('data:'))) tick();
    }
  }
}

/** Starts following changes the way this deployment allows; calling it again restarts. */
export function startLive(mode: 'sse' | 'poll'): void {
  stopLive?.();
  setStatus({ mode, connected: false, dropped: false, error: null });
  if (mode === 'poll') {
    setStatus({ connected: true });
    const timer = setInterval(tick, POLL_MS);
    stopLive = () => clearInterval(timer);
    return;
  }
  const controller = new AbortController();
  let retry: ReturnType<typeof setTimeout> | null = null;
  // Heartbeats are not events: reread now and then so "last heartbeat" ages stay true.
  const slow = setInterval(tick, 10_000);
  const connect = () => {
    readStream(controller.signal)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setStatus({ error: describeError(e) });
      })
      .finally(() => {
        if (controller.signal.aborted) return;
        // The stream ended (server restarted?): say so, reread once, and try again shortly.
        setStatus({ connected: false, dropped: status.dropped || status.connected });
        tick();
        retry = setTimeout(connect, 2000);
      });
  };
  connect();
  stopLive = () => {
    clearInterval(slow);
    controller.abort();
    if (retry) clearTimeout(retry);
    setStatus({ connected: false });
  };
}

export function stopLiveUpdates(): void {
  stopLive?.();
  stopLive = null;
}

/** The live status, rerendering when it changes. */
export function useLiveStatus(): LiveStatus {
  const [s, set] = useState(status);
  useEffect(() => {
    statusListeners.add(set);
    return () => void statusListeners.delete(set);
  }, []);
  return s;
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/**
 * Loads with `load` now, again when `deps` change and on every live tick; keeps showing
 * the last good data while a reread is under way, so the page does not flicker.
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const run = () => {
    const mine = ++generation.current;
    load().then(
      (d) => {
        if (mine !== generation.current) return;
        setData(d);
        setError(null);
        setStatus({ refreshedAt: Date.now() });
      },
      (e: unknown) => {
        if (mine === generation.current) setError(describeError(e));
      },
    );
  };
  useEffect(() => {
    setData(null);
    run();
    listeners.add(run);
    return () => void listeners.delete(run);
  }, deps);
  return { data, error, reload: run };
}

/** The current time, advancing every second: for "12 s ago" labels. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

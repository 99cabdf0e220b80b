/**
 * The agent's log: one JSON object per line, written when something changes (a state, an
 * order carried out, fencing, the connection), never once per heartbeat, so that an
 * operator can read a day of it and a log shipper can index it without parsing prose.
 */

export type Level = 'info' | 'warn' | 'error';

/** What happened, as a stable name an operator can grep for or alert on. */
export type LogEvent =
  | 'agent-started'
  | 'agent-stopped'
  | 'connection-established'
  | 'connection-lost'
  | 'connection-restored'
  | 'heartbeat-refused'
  | 'state-changed'
  | 'services-changed'
  | 'order-executed'
  | 'order-failed'
  | 'order-satisfied'
  | 'order-dropped'
  | 'watchdog'
  | 'fencing-started'
  | 'fencing-ended'
  | 'shutdown-notice-sent'
  | 'shutdown-notice-failed'
  | 'simulate-changed'
  | 'reboot-simulated';

export interface LogLine {
  time: string;
  level: Level;
  nodeId: string;
  event: LogEvent;
  message: string;
  [field: string]: unknown;
}

export interface Log {
  info(event: LogEvent, message: string, fields?: Record<string, unknown>): void;
  warn(event: LogEvent, message: string, fields?: Record<string, unknown>): void;
  error(event: LogEvent, message: string, fields?: Record<string, unknown>): void;
}

/**
 * A log for one node. `write` receives each finished line (stdout by default; the demo
 * passes its own to show the lines of four in-process agents in one terminal).
 */
export function createLog(
  nodeId: string,
  write: (line: LogLine) => void = (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
): Log {
  const emit =
    (level: Level) =>
    (event: LogEvent, message: string, fields: Record<string, unknown> = {}) =>
      write({ time: new Date().toISOString(), level, nodeId, event, message, ...fields });
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/**
 * The agent's boot counter: a number kept on the node's disk and raised at every start,
 * before the first heartbeat, and sent in each heartbeat as `boot`. The control plane
 * orders boots by it alone, so that a heartbeat delayed from before a restart is
 * recognised as older however the node's clock moved (docs/heartbeat-protocol.md).
 */
export interface BootCounter {
  /** This start's boot. */
  readonly current: number;
  /** A new boot (a simulated reboot): raised and stored before it is returned. */
  raise(): number;
}

/** The state file cannot be trusted or written: the agent must not start. */
export class BootCounterError extends Error {
  override readonly name = 'BootCounterError';
}

/** What an operator does when the file is lost to corruption: a number surely larger than any boot sent. */
const REPAIR = (file: string) =>
  `Write {"boot": N} to ${file}, with N larger than any boot this node has sent (a 409 STALE_BOOT answer names the newest one the control plane heard; if unsure, the current Unix time in seconds, \`date +%s\`, is larger than any count of restarts), then start the agent again.`;

/** The default state file: beside the config file, `agent.json` → `agent.state.json`. */
export function defaultStateFile(configFile: string): string {
  const dir = dirname(resolve(configFile));
  return join(dir, `${basename(configFile, extname(configFile))}.state.json`);
}

/** The config's `stateFile`, relative to the config file's directory, else the default. */
export function stateFileFor(configFile: string, stateFile: string | undefined): string {
  if (stateFile === undefined) return defaultStateFile(configFile);
  return resolve(dirname(resolve(configFile)), stateFile);
}

/**
 * The last boot stored in `file`, or null when there is no file (the node's first start).
 * Anything else that is not a whole number ≥ 0 under `boot` is an error: starting again
 * from 0 could send boots the control plane already heard, and its heartbeats would be
 * refused as stale (or, worse, ordered wrongly).
 */
export function readBootCounter(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BootCounterError(
      `Cannot read the boot counter in ${file} (${(e as Error).message}). Make it readable by the agent's user and start the agent again.`,
    );
  }
  let boot: unknown;
  try {
    boot = (JSON.parse(text) as { boot?: unknown } | null)?.boot;
  } catch {
    boot = undefined;
  }
  if (typeof boot !== 'number' || !Number.isSafeInteger(boot) || boot < 0) {
    throw new BootCounterError(
      `The boot counter in ${file} is corrupt (expected {"boot": <whole number ≥ 0>}); the agent cannot know which boot numbers it has already used. ${REPAIR(file)}`,
    );
  }
  return boot;
}

/**
 * Stores `boot` in `file` atomically: a temporary file beside it, flushed to disk, then
 * renamed over it, so that a crash leaves either the old counter or the new one.
 */
export function writeBootCounter(file: string, boot: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify({ boot })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    throw new BootCounterError(
      `Cannot store the boot counter in ${file} (${(e as Error).message}). The agent must store a new boot before its first heartbeat; make the directory writable by the agent's user (or set "stateFile" in the config) and start the agent again.`,
    );
  }
  syncDirectory(dirname(file));
}

/** Flushes the rename itself; not every platform can open a directory, and then the rename stands as is. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort only.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Raises the counter in `file` (0 on the first start) and returns the new boot. */
export function raiseBootCounter(file: string): number {
  const last = readBootCounter(file);
  const next = last === null ? 0 : last + 1;
  if (!Number.isSafeInteger(next)) {
    throw new BootCounterError(`The boot counter in ${file} cannot grow past ${last}. ${REPAIR(file)}`);
  }
  writeBootCounter(file, next);
  return next;
}

/** The counter in a state file: raised once when opened, and again at each simulated reboot. */
export class FileBootCounter implements BootCounter {
  current: number;

  constructor(readonly file: string) {
    this.current = raiseBootCounter(file);
  }

  raise(): number {
    this.current = raiseBootCounter(this.file);
    return this.current;
  }
}

/** A counter kept in memory only, for agents that tests and demos build in-process. */
export class MemoryBootCounter implements BootCounter {
  constructor(public current = 0) {}

  raise(): number {
    this.current += 1;
    return this.current;
  }
}

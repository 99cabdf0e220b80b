import { execFile } from 'node:child_process';
import type { Check } from './config';
import { runShell } from './shell';

/**
 * Whether the thing a check watches is running: the command exits 0, the systemd unit
 * is active, or the URL answers 2xx, all within `timeoutSeconds` (see checkTimeoutSeconds). Anything else — a
 * non-zero exit, a timeout, a refused connection — is "not running": the control plane
 * then decides, after `criticalServiceDelay`, whether the node's users must move.
 */
export async function runCheck(check: Check, timeoutSeconds: number): Promise<boolean> {
  const timeoutMs = timeoutSeconds * 1000;
  if (check.command !== undefined) return (await runShell(check.command, timeoutMs)).exitCode === 0;
  if (check.systemdUnit !== undefined) return systemdActive(check.systemdUnit, timeoutMs);
  if (check.http !== undefined) return httpHealthy(check.http, timeoutMs);
  // The schema demands exactly one kind; an empty check can only be a bug, and says "down".
  return false;
}

/** `systemctl is-active --quiet <unit>`, run without a shell (the unit name is data). */
function systemdActive(unit: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'systemctl',
      ['is-active', '--quiet', unit],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error) => resolve(error === null),
    );
  });
}

async function httpHealthy(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    // Drain the body so the connection is released; its content does not matter.
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}

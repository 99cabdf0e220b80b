/**
 * Running `prg` in-process against a stand-in control plane: what it writes to stdout is
 * kept (and not shown), with no config file and no colour; a Normal group view to serve.
 * Shared by the CLI tests that look at what an operator reads.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { buildProgram } from '../../cli/program';
import type { GroupView } from '../../cli/groupView';

const T = '2026-11-25T09:00:00.000Z';

/** One node of a Normal pair, heard at T; `overrides` changes what a test is about. */
export function normalNode(nodeId: string, overrides: Partial<GroupView['nodes'][number]> = {}) {
  return {
    nodeId,
    state: 'NORMAL' as const,
    stateLabel: 'Normal',
    reason: 'NORMAL' as const,
    reasonLabel: 'Normal',
    cause: `${nodeId} is running normally.`,
    recommendedActions: [],
    lastHeartbeatAt: T,
    services: { 'Cisco SIP Proxy': 'running' as const },
    database: 'up' as const,
    serviceOrder: 'leave' as const,
    ...overrides,
  };
}

/** A Normal HA group `name` with the given nodes (by default `<name>-a` and `<name>-b`). */
export function normalGroup(
  name: string,
  nodes = [normalNode(`${name}-a`), normalNode(`${name}-b`)],
): GroupView {
  return {
    name,
    description: '',
    clusterId: 'c1',
    highAvailability: true,
    nodes,
    failedOver: null,
    epoch: 1,
    version: 1,
    operation: null,
    lastOperation: null,
    automaticFallbackAt: null,
    maintenance: null,
    createdAt: T,
    updatedAt: T,
  };
}

/**
 * Registers hooks that keep what `prg` writes to stdout for each test of the calling file;
 * `run(...args)` runs one command against http://prg.test and returns everything written
 * in the test so far.
 */
export function capturePrg() {
  const written: string[] = [];
  beforeEach(() => {
    written.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.stubEnv('PRG_CONFIG', '/nonexistent/prg-config.json');
    vi.stubEnv('NO_COLOR', '1');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });
  return {
    written,
    run: async (...args: string[]) => {
      await buildProgram().parseAsync(['node', 'prg', ...args, '--url', 'http://prg.test', '--token', 't']);
      return written.join('');
    },
  };
}

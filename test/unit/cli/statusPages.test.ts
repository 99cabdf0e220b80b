import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../cli/program';
import type { GroupView } from '../../../cli/groupView';

const T = '2026-11-25T09:00:00.000Z';

/** A Normal group named `name`, as `GET /v1/groups` lists it. */
function group(name: string): GroupView {
  const node = (nodeId: string) => ({
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
  });
  return {
    name,
    description: '',
    clusterId: 'c1',
    highAvailability: true,
    nodes: [node(`${name}-a`), node(`${name}-b`)],
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

let written: string[];
beforeEach(() => {
  written = [];
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

/** A control plane whose group list comes in two pages: g-1 on the first, g-2 on the second. */
function twoPages() {
  const asked: string[] = [];
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(url.search);
    const second = url.searchParams.get('cursor') === 'page-2';
    const body = second ? { groups: [group('g-2')], next: null } : { groups: [group('g-1')], next: 'page-2' };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return asked;
}

const run = (...args: string[]) =>
  buildProgram().parseAsync(['node', 'prg', ...args, '--url', 'http://prg.test', '--token', 't']);

describe('prg status shows every group, not only the first page', () => {
  it('as text', async () => {
    const asked = twoPages();
    await run('status');
    const text = written.join('');
    expect(text).toContain('g-1');
    expect(text).toContain('g-2');
    expect(asked).toHaveLength(2);
  });

  it('as JSON: {"groups": [...]} with every page in one list', async () => {
    twoPages();
    await run('status', '--json');
    const json = JSON.parse(written.join('')) as { groups: GroupView[] };
    expect(json.groups.map((g) => g.name)).toEqual(['g-1', 'g-2']);
  });
});

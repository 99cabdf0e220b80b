/**
 * What the browser tests and the screenshot script share: a real headless Chromium (the
 * one inside @sparticuz/chromium, or CHROMIUM_PATH), and an embedded default serving the
 * console with a healthy pair of nodes whose agents are stood in for by heartbeat loops.
 */
import sp from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { apiClient } from '../../lambdas/contract';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../../console/build';
import { startEmbedded, type Embedded, type EmbeddedOptions } from '../../local/embedded';
import { Heartbeats } from '../e2e/support/heartbeats';
import { eventually } from '../support/eventually';

/** Chromium: CHROMIUM_PATH when set (a developer's Chrome), else the npm package's own. */
export async function launchBrowser(): Promise<Browser> {
  const own = process.env.CHROMIUM_PATH;
  return chromium.launch({
    executablePath: own ?? (await sp.executablePath()),
    // The package's flags are tuned for Lambda; two would change what is tested here: a
    // single process for every tab, and web security (CSP, same-origin) switched off.
    args: own ? [] : sp.args.filter((a) => a !== '--single-process' && a !== '--disable-web-security'),
    headless: true,
  });
}

export interface ConsoleWorld {
  server: Embedded;
  group: string;
  a: string;
  b: string;
  /** The group's `STATE/REASON` per node, straight from the API. */
  states(): Promise<string[]>;
  /** Waits (bounded) until the group shows `expected`. */
  waitFor(expected: string[], ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Small timers so a failover takes seconds; a generous keep-alive timeout, so a machine
 * busy with a browser never makes a node look silent.
 */
const FAST = {
  keepAliveInterval: 1,
  keepAliveTimeout: 10,
  initializationKeepAliveTimeout: 20,
  criticalServiceDelay: 2,
};

/** Starts an embedded default with the console and a Normal pair imp-a / imp-b in group prg-1. */
export async function startConsoleWorld(options: EmbeddedOptions = {}): Promise<ConsoleWorld> {
  await ensureConsoleBuilt();
  const server = await startEmbedded({
    port: 0,
    sweepSeconds: 1,
    writeLine: () => undefined,
    consoleDir: CONSOLE_DIST,
    ...options,
  });
  const admin = apiClient({ baseUrl: server.url, token: server.adminToken });
  const [group, a, b, cluster] = ['prg-1', 'imp-a', 'imp-b', 'c1'];
  await admin.call('PATCH /v1/clusters/{clusterId}/parameters', { path: { clusterId: cluster }, body: FAST });
  const beats: Heartbeats[] = [];
  for (const nodeId of [a, b]) {
    const reg = await admin.call('POST /v1/nodes', {
      body: {
        nodeId,
        hostname: `${nodeId}.example.com`,
        clusterId: cluster,
        softwareVersion: '15.0',
        publisherId: 'pub-1',
      },
    });
    const hb = new Heartbeats(server.url, nodeId, reg.token);
    await hb.beat();
    beats.push(hb.start());
  }
  await admin.call('POST /v1/groups', {
    body: {
      name: group,
      nodes: [a, b],
      highAvailability: true,
      description: 'Presence pair of the main site',
    },
  });
  for (let i = 0; i < 6; i++)
    await admin.call('POST /v1/users', { body: { userId: `user${i}@example.com`, clusterId: cluster } });
  const states = async () =>
    (await admin.call('GET /v1/groups/{name}', { path: { name: group } })).nodes.map(
      (n) => `${n.state}/${n.reason}`,
    );
  const waitFor = async (expected: string[], ms = 30_000) => {
    await eventually(
      `${group} to be ${expected.join(' + ')}`,
      async () => ((await states()).join() === expected.join() ? true : undefined),
      ms,
    );
  };
  await waitFor(['NORMAL/NORMAL', 'NORMAL/NORMAL']);
  return {
    server,
    group,
    a,
    b,
    states,
    waitFor,
    async stop() {
      for (const hb of beats) hb.stop();
      await server.stop();
    },
  };
}

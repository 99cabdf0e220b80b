/**
 * `npm run docs:screenshots`: regenerates the console's screenshots in docs/ from a real
 * embedded default (its own DynamoDB Local) with a pair that has failed over and back, so
 * the history has something to show.
 */
import { join } from 'node:path';
import { apiClient } from '../../lambdas/contract';
import { launchBrowser, startConsoleWorld } from './support';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

/** What callbacks run inside the page see (the project's types are Node's, without the DOM). */
declare const document: any;

async function main(): Promise<void> {
  const started = Date.now();
  const world = await startConsoleWorld();
  const browser = await launchBrowser();
  try {
    const admin = apiClient({ baseUrl: world.server.url, token: world.server.adminToken });
    const path = { name: world.group };
    await admin.call('POST /v1/groups/{name}/failover', { path, body: { nodeId: world.a } });
    await world.waitFor(['IDLE/ON_ADMIN_REQUEST', 'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST']);
    await admin.call('POST /v1/groups/{name}/fallback', { path, body: { nodeId: world.a } });
    await world.waitFor(['NORMAL/NORMAL', 'NORMAL/NORMAL'], 40_000);
    await admin.call('POST /v1/groups/{name}/failover', { path, body: { nodeId: world.b } });
    await world.waitFor(['RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST', 'IDLE/ON_ADMIN_REQUEST']);

    const context = await browser.newContext({
      viewport: { width: 1100, height: 760 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(`${world.server.url}/#token=${encodeURIComponent(world.server.adminToken)}`);
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    const shoot = async (hash: string, file: string, before?: () => Promise<void>) => {
      await page.goto(`${world.server.url}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
      await before?.();
      await page.screenshot({ path: join(DOCS, file), fullPage: true });
      process.stdout.write(`docs/${file}\n`);
    };
    await shoot('#/', 'console-overview.png');
    await shoot(`#/groups/${world.group}`, 'console-group.png');
    await shoot(`#/groups/${world.group}`, 'console-fallback-dialog.png', async () => {
      await page.getByRole('button', { name: `Fallback ${world.b}` }).click();
      await page.getByRole('dialog').waitFor();
    });
    await shoot(`#/groups/${world.group}/history`, 'console-history.png', async () => {
      // A fresh demo has minutes of history: the shortest window shows it.
      await page.getByLabel('Show the last').selectOption('10 minutes');
    });
    await shoot('#/parameters', 'console-parameters.png');
    await shoot('#/users', 'console-users.png');
    await shoot('#/nodes', 'console-nodes.png');
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    const small = await phone.newPage();
    await small.goto(`${world.server.url}/#token=${encodeURIComponent(world.server.adminToken)}`);
    await small.getByRole('navigation', { name: 'Pages' }).waitFor();
    await small.goto(`${world.server.url}/#/groups/${world.group}`);
    await small.locator('main h1').waitFor();
    await small.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
    await small.screenshot({ path: join(DOCS, 'console-group-phone-dark.png'), fullPage: true });
    process.stdout.write('docs/console-group-phone-dark.png\n');
  } finally {
    await browser.close();
    await world.stop();
  }
  process.stdout.write(`Screenshots taken in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`Screenshots failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

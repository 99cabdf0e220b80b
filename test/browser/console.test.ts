/**
 * The console in a real headless Chromium against the embedded default: what an operator
 * on call does with it, at 375 px wide, by mouse and by keyboard alone, with an admin and
 * a read token, and axe-core finding no serious or critical violation on any page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient } from '../../lambdas/contract';
import { DEFAULT_CRITICAL_SERVICES } from '../../lambdas/core';
import { launchBrowser, startConsoleWorld, type ConsoleWorld } from './support';
import { legacyNodeRecord } from '../support/legacyNode';

/** What callbacks run inside the page see (the project's types are Node's, without the DOM). */
declare const document: any;
declare const window: any;

const tag = Math.random().toString(36).slice(2, 8);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 375, height: 812 };
const NORMAL = ['NORMAL/NORMAL', 'NORMAL/NORMAL'];
/** Text as read aloud: runs of white space as one space. */
const words = (text: string) => text.replace(/\s+/g, ' ').trim();
const FAILED_OVER = ['IDLE/ON_ADMIN_REQUEST', 'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST'];

let world: ConsoleWorld;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [world, browser] = await Promise.all([
    startConsoleWorld({ dynamoEndpoint: inject('dynamoEndpoint'), tablePrefix: `browser-${tag}` }),
    launchBrowser(),
  ]);
}, 120_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  // Each scenario starts from a Normal pair, whatever the one before it left.
  await fallBackIfNeeded();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

/** A fresh phone-sized tab; axe is injected by the test, so the page's CSP is bypassed for it. */
async function newPage(o: { dark?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    bypassCSP: true,
    colorScheme: o.dark ? 'dark' : 'light',
  });
  contexts.push(context);
  return context.newPage();
}

/** Signs in through the form, as an operator types the token. */
async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(world.server.url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

/** Sets the pair back to Normal through the API (setup between scenarios, not under test). */
async function fallBackIfNeeded(): Promise<void> {
  const states = await world.states();
  if (states.join() === NORMAL.join()) return;
  await world.waitFor(FAILED_OVER);
  await apiClient({ baseUrl: world.server.url, token: world.server.adminToken }).call(
    'POST /v1/groups/{name}/fallback',
    { path: { name: world.group }, body: { nodeId: world.a } },
  );
  await world.waitFor(NORMAL, 40_000);
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const axe = window.axe as { run: (o: object) => Promise<any> };
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  });
  return found as string[];
}

describe('the console in a browser', () => {
  it('signs in with the admin token and shows the overview: groups, states with icon and words, heartbeats, users', async () => {
    const page = await newPage();
    await page.goto(world.server.url);
    expect(await seriousViolations(page)).toEqual([]);
    await signIn(page, world.server.adminToken);
    const card = page.locator('.card', { has: page.getByRole('link', { name: world.group }) });
    await expect
      .poll(async () => (await card.locator('.badge').allInnerTexts()).map(words), { timeout: 15_000 })
      .toEqual(['✓ (healthy) Normal (Normal)', '✓ (healthy) Normal (Normal)']);
    // Colour is not the only cue: each badge has an icon and words for it.
    expect(await card.locator('.badge .glyph').first().innerText()).toBe('✓');
    expect(await card.innerText()).toMatch(/\d+ s ago/);
    // The event stream may answer after the first read on a busy machine ("connecting to events…").
    await page.getByText(/Updated \d+ s ago · live \(events\)/).waitFor({ timeout: 15_000 });
    // 375 px wide: nothing sticks out sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  }, 60_000);

  it('says "connecting to events" until the event stream first answers, and "reconnecting" only after it dropped', async () => {
    const page = await newPage();
    // The stream's requests wait unanswered, as behind a slow proxy; the page's other reads go through.
    const held: Route[] = [];
    await page.route('**/v1/events', (route) => void held.push(route));
    await signIn(page, world.server.adminToken);
    const freshness = async () => words(await page.locator('.freshness').innerText());
    await expect
      .poll(freshness, { timeout: 15_000 })
      .toMatch(/^○ Updated \d+ s ago · connecting to events…$/);
    // The stream answers and ends at once, as when the server restarts; the page's retry waits again.
    await held
      .shift()!
      .fulfill({ status: 200, contentType: 'text/event-stream', body: ': presence-ha events\n\n' });
    await expect
      .poll(freshness, { timeout: 15_000 })
      .toMatch(/^○ Updated \d+ s ago · reconnecting to events…$/);
    // Let the stream through: live again.
    await page.unroute('**/v1/events');
    await expect.poll(freshness, { timeout: 15_000 }).toMatch(/^● Updated \d+ s ago · live \(events\)$/);
  }, 60_000);

  it('fails over from the group page after a confirmation, and the page follows to Idle / Running in Backup Mode by itself', async () => {
    const page = await newPage();
    await signIn(page, world.server.adminToken);
    await page.getByRole('link', { name: world.group }).click();
    const failover = page.getByRole('button', { name: `Failover ${world.a}` });
    await failover.waitFor();
    // Fallback is not allowed while both are Normal, and the button says why.
    const fallback = page.getByRole('button', { name: `Fallback ${world.a}` });
    expect(await fallback.getAttribute('aria-disabled')).toBe('true');
    const whyNot = await fallback.getAttribute('aria-describedby');
    expect(await page.locator(`#${whyNot}`).textContent()).toMatch(
      /Fallback to imp-a needs it Idle or Failed Over/,
    );
    // The reason shows on focus, not only to screen readers.
    await fallback.focus();
    expect(await page.locator(`#${whyNot}`).isVisible()).toBe(true);
    // A mark on the window: it survives only if the page is never reloaded.
    await page.evaluate(() => (window.mark = 42));

    await failover.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/imp-a is Idle and imp-b is Running in Backup Mode/);
    expect(await dialog.innerText()).toMatch(/users whose home is imp-a move to imp-b/);
    // The API's dry run: where each node ends, and how many users move.
    await expect
      .poll(async () => words(await dialog.innerText()), { timeout: 15_000 })
      .toContain(
        'When it is done: imp-a Idle (On Admin Request), imp-b Running in Backup Mode (On Admin Request).',
      );
    expect(words(await dialog.innerText())).toContain('3 users move to another node');
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing happens until the confirm button is pressed.
    expect(await world.states()).toEqual(NORMAL);
    await dialog.getByRole('button', { name: `Failover ${world.a}` }).click();

    const stateOf = (node: string) => page.getByTestId(`state-${node}`);
    await expect
      .poll(async () => words(await stateOf(world.a).innerText()), { timeout: 30_000 })
      .toBe('◐ (needs attention) Idle (On Admin Request)');
    await expect
      .poll(async () => words(await stateOf(world.b).innerText()), { timeout: 30_000 })
      .toBe('◐ (needs attention) Running in Backup Mode (On Admin Request)');
    expect(await page.evaluate(() => window.mark)).toBe(42);
    // Now fallback is the allowed action and failover is not.
    await expect
      .poll(() => page.getByRole('button', { name: `Fallback ${world.a}` }).getAttribute('aria-disabled'), {
        timeout: 15_000,
      })
      .toBe(null);
    expect(await failover.getAttribute('aria-disabled')).toBe('true');
  }, 90_000);

  it('shows a refused parameter next to its field, with the API’s reason', async () => {
    const page = await newPage();
    await signIn(page, world.server.adminToken);
    await page.getByRole('link', { name: 'Parameters' }).click();
    const timeout = page.getByLabel('Keep Alive (Heartbeat) Timeout', { exact: true });
    await timeout.fill('0');
    await page.getByRole('button', { name: 'Save cluster-wide parameters' }).click();
    const error = page.locator('#cluster-keepAliveTimeout-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/1/);
    expect(await timeout.getAttribute('aria-invalid')).toBe('true');
    expect(await timeout.getAttribute('aria-describedby')).toContain('cluster-keepAliveTimeout-error');
    // Nothing was written.
    const params = await apiClient({ baseUrl: world.server.url, token: world.server.readToken }).call(
      'GET /v1/clusters/{clusterId}/parameters',
      { path: { clusterId: 'c1' } },
    );
    expect(params.keepAliveTimeout).toBe(10);
  }, 60_000);

  it('a reader signed in by the start link sees everything and can act on nothing', async () => {
    const page = await newPage();
    await page.goto(`${world.server.url}/#token=${encodeURIComponent(world.server.readToken)}`);
    await page.getByText('Read only').waitFor();
    // The token leaves the address bar at once.
    expect(page.url()).not.toContain('token');
    await page.getByRole('link', { name: world.group }).click();
    const failover = page.getByRole('button', { name: `Failover ${world.a}` });
    await failover.waitFor();
    expect(await failover.getAttribute('aria-disabled')).toBe('true');
    const why = await failover.getAttribute('aria-describedby');
    expect(await page.locator(`#${why}`).textContent()).toMatch(/read token/);
    // Playwright will not click a button marked aria-disabled; a keyboard user can still press it.
    await failover.focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('switch', { name: 'High availability' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
    expect(await world.states()).toEqual(NORMAL);
  }, 60_000);

  it('Sign out on AWS also ends the Cognito hosted-UI session; locally it only forgets the token', async () => {
    // AWS as the console sees it: config.json names a hosted UI, stood in for here at
    // https://cognito.test (there is no Cognito locally), which signs in with the admin token.
    const page = await newPage();
    const origin = world.server.url;
    const cognito = { domain: 'https://cognito.test', clientId: 'console-client', redirectUri: `${origin}/` };
    await page.route(`${origin}/config.json`, (route) =>
      route.fulfill({ json: { auth: 'cognito', live: 'poll', cognito } }),
    );
    const hostedUi: URL[] = [];
    await page.route('https://cognito.test/**', (route) => {
      const url = new URL(route.request().url());
      hostedUi.push(url);
      if (url.pathname === '/oauth2/authorize') {
        return route.fulfill({
          status: 302,
          headers: { location: `${url.searchParams.get('redirect_uri')}?code=c1` },
        });
      }
      if (url.pathname === '/oauth2/token') {
        return route.fulfill({
          json: { access_token: world.server.adminToken },
          headers: { 'access-control-allow-origin': origin },
        });
      }
      // /logout: Cognito ends its session and sends the browser to logout_uri.
      return route.fulfill({ status: 302, headers: { location: url.searchParams.get('logout_uri') ?? '/' } });
    });
    await page.goto(origin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const logout = hostedUi.find((u) => u.pathname === '/logout');
    expect(logout && Object.fromEntries(logout.searchParams)).toEqual({
      client_id: 'console-client',
      logout_uri: `${origin}/`,
    });
    expect(await page.evaluate(() => window.sessionStorage.getItem('prg.token'))).toBeNull();

    // The embedded default (token sign-in): back to the form, no request leaves the origin.
    const local = await newPage();
    const elsewhere: string[] = [];
    local.on('request', (r) => {
      if (!r.url().startsWith(origin)) elsewhere.push(r.url());
    });
    await signIn(local, world.server.adminToken);
    await local.getByRole('button', { name: 'Sign out' }).click();
    await local.getByLabel('Token').waitFor();
    expect(await local.evaluate(() => window.sessionStorage.getItem('prg.token'))).toBeNull();
    expect(elsewhere).toEqual([]);
  }, 60_000);

  it('fails over with the keyboard alone', async () => {
    const page = await newPage();
    await page.goto(world.server.url);
    // The sign-in form appears once the console has read its config.json: Tab before it
    // exists would focus nothing (seen on a loaded machine).
    await page.getByLabel('Token').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type(world.server.adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    /** Presses Tab until the focused element has this accessible text (bounded). */
    const tabTo = async (text: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
        if (focused === text) return;
      }
      throw new Error(`Tab never reached "${text}"`);
    };
    // The overview's link must be there before Tab can reach it.
    await page.getByRole('link', { name: world.group }).waitFor();
    await tabTo(world.group);
    await page.keyboard.press('Enter');
    const failover = page.getByRole('button', { name: `Failover ${world.a}` });
    // The page may first show what it read before the last scenario's fallback ended.
    await expect.poll(() => failover.getAttribute('aria-disabled'), { timeout: 30_000 }).toBe(null);
    await tabTo(`Failover ${world.a}`);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    // Focus starts on Cancel (moved there a frame after the dialog opens); Tab reaches the
    // confirm button, Enter presses it.
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    await expect.poll(focused, { timeout: 5_000 }).toBe('Cancel');
    await page.keyboard.press('Tab');
    await expect.poll(focused, { timeout: 5_000 }).toBe(`Failover ${world.a}`);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId(`state-${world.a}`).innerText(), { timeout: 30_000 })
      .toMatch(/Idle/);
    await world.waitFor(FAILED_OVER);
  }, 90_000);

  it('flags on the Nodes page a node still on a legacy token, and on the group page a node whose agent sends no acknowledgement, with what to do', async () => {
    const admin = apiClient({ baseUrl: world.server.url, token: world.server.adminToken });
    const legacy = `old-token-${tag}`;
    const [group, current, old] = [`prg-2-${tag}`, `new-agent-${tag}`, `old-agent-${tag}`];
    // Stored as the release before MAC tokens registered it: a token hash, no generation.
    await world.server.ports.nodes.create(
      legacyNodeRecord(legacy, { clusterId: 'c2', publisherId: 'pub-2' }),
    );
    const tokens = new Map<string, string>();
    for (const nodeId of [current, old]) {
      const reg = await admin.call('POST /v1/nodes', {
        body: {
          nodeId,
          hostname: `${nodeId}.example.com`,
          clusterId: 'c2',
          softwareVersion: '15.0',
          publisherId: 'pub-2',
        },
      });
      tokens.set(nodeId, reg.token);
    }
    // High availability off: one heartbeat each is all the page needs, and nothing fails over.
    await admin.call('POST /v1/groups', {
      body: { name: group, nodes: [current, old], highAvailability: false },
    });
    for (const nodeId of [current, old]) {
      await apiClient({ baseUrl: world.server.url, token: tokens.get(nodeId)! }).call(
        'POST /v1/nodes/{nodeId}/heartbeat',
        {
          path: { nodeId },
          body: {
            bootId: `${nodeId}-boot`,
            boot: 0,
            sequence: 1,
            services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((x) => [x, 'running' as const])),
            database: 'up',
            // The new agent says what it heard (nothing yet); the old one sends no `heard` at all.
            ...(nodeId === current ? { heard: null } : {}),
          },
        },
      );
    }
    try {
      const page = await newPage();
      await signIn(page, world.server.adminToken);
      await page.getByRole('link', { name: 'Nodes' }).click();
      const flag = page.getByTestId(`legacy-${legacy}`);
      await flag.waitFor();
      expect(words(await flag.innerText())).toBe('◐ (needs attention) Legacy token');
      expect(await flag.getAttribute('title')).toMatch(/refuses it once the legacy window closes/);
      const row = (nodeId: string) => page.getByRole('row', { name: new RegExp(`^${nodeId} `) });
      expect(words(await row(legacy).innerText())).toContain(`rotate: prg node rotate-token ${legacy}`);
      expect(words(await row(world.a).innerText())).toContain('Current token');
      expect(await row(world.a).getByText('Legacy token').count()).toBe(0);
      // The date comes from the server's legacy window (the release's default here).
      const closes = (await world.server.ports.nodeTokens.keyRing()).legacyUntil;
      const at = new Date(closes!).toISOString().replace(/^(.{10})T(.{5}).*$/, '$1 $2 UTC');
      const advice = words(await page.getByTestId('legacy-advice').innerText());
      expect(advice).toMatch(
        /^1 node still holds a legacy \(prgn\.\) token, refused (from|since the legacy window closed on) /,
      );
      expect(advice).toContain(at);
      expect(advice).toMatch(
        closes! > Date.now()
          ? / \(in \d+ (days?|h)\)\. Rotate each \(its Rotate token button, or prg node rotate-token <nodeId>\) and put the new token in its agent’s configuration before then\.$/
          : /configuration now: until then the agent is not answered, and fences\.$/,
      );
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto(`${world.server.url}/#/groups/${group}`);
      const oldFlag = page.getByTestId(`old-agent-${old}`);
      await oldFlag.waitFor();
      expect(words(await oldFlag.innerText())).toBe('◐ (needs attention) Old agent: upgrade prg-agent');
      const card = page.locator('.card', { has: page.getByRole('heading', { name: old }) });
      expect(words(await card.innerText())).toContain(
        'the older failover rules apply: its silence is taken as fenced without proof',
      );
      expect(await oldFlag.getAttribute('title')).toMatch(/Upgrade prg-agent on/);
      expect(await page.getByTestId(`old-agent-${current}`).count()).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      );
    } finally {
      await admin.call('DELETE /v1/groups/{name}', { path: { name: group } });
      for (const nodeId of [current, old, legacy])
        await admin.call('DELETE /v1/nodes/{nodeId}', { path: { nodeId } });
    }
  }, 60_000);

  it.each([['light'], ['dark']])(
    'axe finds no serious or critical violation on any page (%s)',
    async (scheme) => {
      const page = await newPage({ dark: scheme === 'dark' });
      await signIn(page, world.server.adminToken);
      const pages = [
        '#/',
        `#/groups/${world.group}`,
        `#/groups/${world.group}/history`,
        '#/parameters',
        '#/users',
        '#/nodes',
      ];
      const found: Record<string, string[]> = {};
      for (const hash of pages) {
        await page.goto(`${world.server.url}/${hash}`);
        await page.locator('main h1').waitFor();
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
        found[hash] = await seriousViolations(page);
      }
      expect(found).toEqual(Object.fromEntries(pages.map((p) => [p, []])));
    },
    60_000,
  );
});

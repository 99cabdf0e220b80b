import { describe, expect, it, vi } from 'vitest';
import type { GroupView } from '../../../cli/groupView';
import { capturePrg, normalGroup, normalNode } from '../../support/cliRun';

/**
 * After the control plane learned the acknowledgement, a node whose agent sends no `heard`
 * gets the older failover rules (docs/runbooks.md, "Upgrading to the acknowledgement").
 * `prg group show` and `prg status` are where an operator looks at a pair, so they must
 * say which agent is old and what to do.
 */

/** A Normal pair prg-1 whose agents acknowledge as given (`undefined`: an older control plane). */
function pair(acks: [boolean | null | undefined, boolean | null | undefined]): GroupView {
  const node = (nodeId: string, agentAcknowledges: boolean | null | undefined) =>
    normalNode(nodeId, {
      lastHeartbeatAt: agentAcknowledges === null ? null : '2026-11-25T09:00:00.000Z',
      ...(agentAcknowledges === undefined ? {} : { agentAcknowledges }),
    });
  return normalGroup('prg-1', [node('imp-a', acks[0]), node('imp-b', acks[1])]);
}

const { run } = capturePrg();

/** A control plane that answers every request with this group (one group, or a one-page list). */
function serve(view: GroupView): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL | Request) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const body = url.pathname === '/v1/groups' ? { groups: [view], next: null } : view;
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
}

const rowOf = (text: string, nodeId: string) =>
  text.split('\n').find((l) => l.trimStart().startsWith(`${nodeId} `)) ?? '';

describe('prg group show and prg status mark a node whose agent predates the acknowledgement', () => {
  for (const args of [['group', 'show', 'prg-1'], ['status', 'prg-1'], ['status']]) {
    it(`prg ${args.join(' ')}: an AGENT column marks the old one, and one line says what to do`, async () => {
      serve(pair([true, false]));
      const text = await run(...args);
      expect(text.split('\n').find((l) => l.includes('NODE'))).toMatch(/DATABASE +AGENT$/);
      expect(rowOf(text, 'imp-a')).toMatch(/ current$/);
      expect(rowOf(text, 'imp-b')).toMatch(/ old$/);
      const advice = text.split('\n').filter((l) => l.includes('Upgrade prg-agent'));
      expect(advice).toHaveLength(1);
      expect(advice[0]).toMatch(/imp-b runs an agent too old to acknowledge/);
      expect(advice[0]).toMatch(/silence as fenced/);
      expect(advice[0]).toContain('Upgrading to the acknowledgement');
      expect(advice[0]).not.toMatch(/imp-a/);
    });
  }

  it('names both nodes when both agents are old, even though the pair is Normal', async () => {
    serve(pair([false, false]));
    const text = await run('group', 'show', 'prg-1');
    expect(rowOf(text, 'imp-a')).toMatch(/ old$/);
    expect(text).toMatch(/imp-a and imp-b run agents too old to acknowledge.*Upgrade prg-agent on them/);
  });

  it.each([
    ['every agent acknowledges', [true, true]],
    ['a node never heard from (null) is not an old agent', [true, null]],
    ['a control plane older than the acknowledgement sends no field', [undefined, undefined]],
  ] as const)('no column and no advice when %s', async (_why, acks) => {
    serve(pair([...acks]));
    const text = await run('group', 'show', 'prg-1');
    expect(text).toContain('imp-a');
    expect(text).not.toContain('AGENT');
    expect(text).not.toContain('prg-agent');
  });

  it('a node id that carries control characters reaches the advice line escaped, colour on', async () => {
    const view = pair([true, false]);
    view.nodes[1]!.nodeId = 'imp-b\x1b]0;owned\x07\u202e';
    serve(view);
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('FORCE_COLOR', '1');
    const advice = (await run('group', 'show', 'prg-1')).split('\n').find((l) => l.includes('prg-agent'));
    expect(advice).toContain('imp-b\\x1b]0;owned\\x07\\u202e runs an agent too old');
    expect(advice?.startsWith('\x1b[33m')).toBe(true);
    // Only the CLI's own colour codes remain as escapes.
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(advice!.replace(/\x1b\[(?:33|39)m/g, '')).not.toMatch(/[\x00-\x1f\u202e]/);
  });

  it('prg group list marks the old agent next to its node and says once, below the table, what to do', async () => {
    serve(pair([true, false]));
    const text = await run('group', 'list');
    const row = text.split('\n').find((l) => l.startsWith('prg-1 ')) ?? '';
    expect(row).toMatch(/imp-a Normal, imp-b Normal \(old agent\)/);
    const advice = text.split('\n').filter((l) => l.includes('Upgrade prg-agent'));
    expect(advice).toEqual([expect.stringMatching(/^imp-b runs an agent too old to acknowledge/)]);
  });

  it('prg group list names every old agent of the fleet in its one advice line', async () => {
    const first = pair([false, true]);
    const second = normalGroup('prg-2', [
      normalNode('imp-c', { lastHeartbeatAt: '2026-11-25T09:00:00.000Z', agentAcknowledges: false }),
      normalNode('imp-d', { lastHeartbeatAt: '2026-11-25T09:00:00.000Z', agentAcknowledges: false }),
    ]);
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ groups: [second, first], next: null })),
    );
    const text = await run('group', 'list');
    expect(text).toMatch(
      /imp-a, imp-c and imp-d run agents too old to acknowledge.*Upgrade prg-agent on them/,
    );
  });

  it.each([
    ['every agent acknowledges', [true, true]],
    ['a control plane older than the acknowledgement sends no field', [undefined, undefined]],
  ] as const)('prg group list has no mark and no advice when %s', async (_why, acks) => {
    serve(pair([...acks]));
    const text = await run('group', 'list');
    expect(text).toContain('imp-b Normal');
    expect(text).not.toContain('old agent');
    expect(text).not.toContain('prg-agent');
  });

  it('--json is the API view unchanged, agentAcknowledges included', async () => {
    const view = pair([true, false]);
    serve(view);
    const text = await run('group', 'show', 'prg-1', '--json');
    expect(JSON.parse(text)).toEqual(view);
  });
});

import { expect } from 'vitest';
import { eventually, type Api } from './target';

/** Both nodes' `state/reason`, in group order. */
export async function pairStates(api: Api, group: string): Promise<string[]> {
  const res = await api.get(`/v1/groups/${group}`);
  return res.body.nodes.map((n: { state: string | null; reason: string | null }) => `${n.state}/${n.reason}`);
}

/** Waits until the group shows exactly `expected` (node order as created), and returns the view. */
export async function waitForStates(api: Api, group: string, expected: string[], ms = 20_000): Promise<any> {
  let seen: string[] = [];
  try {
    return await eventually(
      `${group} to be ${expected.join(' + ')}`,
      async () => {
        const res = await api.get(`/v1/groups/${group}`);
        seen = res.body.nodes.map(
          (n: { state: string | null; reason: string | null }) => `${n.state}/${n.reason}`,
        );
        return seen.join() === expected.join() ? res.body : undefined;
      },
      ms,
    );
  } catch (e) {
    // Show where it got stuck, not only that it timed out.
    expect(seen, String(e)).toEqual(expected);
    throw e;
  }
}

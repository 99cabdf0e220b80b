import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirm, shouldAsk, type Terminal } from '../../../cli/confirm';
import { untilFrom } from '../../../cli/commands/maintenance';
import { callerOf } from '../../../lambdas/handlers/http/caller';

function terminal(tty: boolean): Terminal & { input: PassThrough; output: PassThrough } {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = Object.assign(new PassThrough(), { isTTY: tty });
  return { input, output };
}

describe('prg asks before acting only when a person is at a terminal', () => {
  it('asks on a TTY unless --yes; never without a TTY (scripts and CI behave as before)', () => {
    expect(shouldAsk(undefined, terminal(true))).toBe(true);
    expect(shouldAsk(true, terminal(true))).toBe(false);
    expect(shouldAsk(undefined, terminal(false))).toBe(false);
  });

  it('only y or yes goes ahead; anything else, or the end of input, is a no', async () => {
    for (const [typed, expected] of [
      ['y\n', true],
      ['YES\n', true],
      ['n\n', false],
      ['\n', false],
      ['sure\n', false],
    ] as const) {
      const t = terminal(true);
      const answer = confirm('Go?', t);
      t.input.write(typed);
      expect(await answer, typed).toBe(expected);
    }
    const closed = terminal(true);
    const answer = confirm('Go?', closed);
    closed.input.end();
    expect(await answer).toBe(false);
  });
});

describe('prg pause --until', () => {
  const now = Date.UTC(2026, 10, 27, 12, 0, 0);
  it('takes a duration from now or an ISO 8601 time', () => {
    expect(untilFrom('2h', now)).toBe('2026-11-27T14:00:00.000Z');
    expect(untilFrom('1h30m', now)).toBe('2026-11-27T13:30:00.000Z');
    expect(untilFrom('1d', now)).toBe('2026-11-28T12:00:00.000Z');
    expect(untilFrom('2026-11-28T06:00:00Z', now)).toBe('2026-11-28T06:00:00Z');
  });
  it('refuses anything else with the accepted forms in the message', () => {
    for (const bad of ['soon', '2 hours', '0m', '2h later', ''])
      expect(() => untilFrom(bad, now), bad).toThrow(/ISO 8601 time .* or a duration/);
  });
});

describe('who made an admin request, for maintenance windows', () => {
  const jwt = (claims: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims } } } });
  it('a Cognito user, else the app client, else the subject; the embedded default is "admin token"', () => {
    expect(callerOf(jwt({ username: 'alice', client_id: 'abc' }))).toBe('user alice');
    expect(callerOf(jwt({ 'cognito:username': 'bob' }))).toBe('user bob');
    expect(callerOf(jwt({ client_id: '7abc', scope: 'prg/admin' }))).toBe('client 7abc');
    expect(callerOf(jwt({ sub: 's-1' }))).toBe('subject s-1');
    expect(callerOf(jwt({ scope: 'prg/admin' }))).toBe('admin token');
    expect(callerOf({})).toBe('admin token');
  });
});

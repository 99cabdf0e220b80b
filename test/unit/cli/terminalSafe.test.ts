import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../cli/program';
import { formatEvent } from '../../../cli/commands/events';
import { renderGroup, type GroupView } from '../../../cli/groupView';
import { Output, terminalSafe } from '../../../cli/output';
import type { BusEvent } from '../../../local/eventBus';

/**
 * What a stolen node token could try to put on an operator's screen: clear it and home
 * the cursor, set the window title, write the clipboard (OSC 52), an 8-bit CSI, erase
 * with backspaces and a carriage return, a NUL and a DEL, a right-to-left override,
 * and a "conceal" colour code that would hide the rest of the line.
 */
const HOSTILE =
  'svc\x1b[2J\x1b[H\x1b]0;owned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x9b2K\b\b\rfake\x00\x7f\u202eevil\x1b[8m\ttail';

/** The colour codes the CLI itself writes, the only sequences allowed through. */
// eslint-disable-next-line no-control-regex -- the CLI's own colour codes start with ESC
const OWN_SGR = /\x1b\[(?:1|2|22|31|32|33|39)m/g;
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Fails if anything but a newline or the CLI's own colour codes is a control character. */
function expectTerminalSafe(text: string): void {
  const found = text.replace(OWN_SGR, '').match(CONTROL);
  expect(
    found,
    `control character U+${found?.[0]?.charCodeAt(0).toString(16)} in ${JSON.stringify(text)}`,
  ).toBeNull();
  // Shown rather than silently dropped, so that the operator sees something was there.
  expect(text).toContain('\\x1b');
}

let written: string[];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

const T = '2026-11-25T09:00:00.000Z';

function hostileGroup(): GroupView {
  const node = (nodeId: string) => ({
    nodeId,
    state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING' as const,
    stateLabel: `Failed Over ${HOSTILE}`,
    reason: 'CRITICAL_SERVICE_DOWN' as const,
    reasonLabel: `Critical Service Down ${HOSTILE}`,
    cause: `${nodeId} reported critical service(s) ${HOSTILE} down.`,
    recommendedActions: [`Restart ${HOSTILE} on ${nodeId}.`],
    lastHeartbeatAt: T,
    services: { [HOSTILE]: 'stopped' as const, 'Cisco SIP Proxy': 'running' as const },
    database: 'up' as const,
    serviceOrder: 'leave' as const,
  });
  return {
    name: 'prg-1',
    description: `desk ${HOSTILE}`,
    clusterId: 'c1',
    highAvailability: true,
    nodes: [node('imp-a'), node('imp-b')],
    failedOver: 'imp-a',
    epoch: 1,
    version: 3,
    operation: null,
    lastOperation: null,
    automaticFallbackAt: null,
    maintenance: { reason: `patching ${HOSTILE}`, until: T, by: `user ${HOSTILE}` },
    createdAt: T,
    updatedAt: T,
  };
}

describe('prg shows node-reported text without letting it drive the terminal', () => {
  it('terminalSafe shows every control character as its code, keeping only newlines and, with colour, its own codes', () => {
    for (let code = 0; code <= 0x9f; code++) {
      const ch = String.fromCharCode(code);
      if (code === 0x0a || (code >= 0x20 && code < 0x7f)) expect(terminalSafe(ch)).toBe(ch);
      else expect(terminalSafe(ch)).toMatch(/^\\x[0-9a-f]{2}$/);
    }
    expect(terminalSafe('a\u202eb')).toBe('a\\u202eb');
    expect(terminalSafe('\x1b[31mred\x1b[39m', true)).toBe('\x1b[31mred\x1b[39m');
    expect(terminalSafe('\x1b[31mred\x1b[39m', false)).toBe('\\x1b[31mred\\x1b[39m');
    expect(terminalSafe('\x1b[8mhidden', true)).toBe('\\x1b[8mhidden');
  });

  for (const color of [false, true]) {
    it(`the group view (renderGroup), colour ${color ? 'on' : 'off'}`, () => {
      const out = new Output({ color, json: false });
      out.line(renderGroup(out, hostileGroup(), Date.parse(T)));
      const text = written.join('');
      expectTerminalSafe(text);
      expect(text).toContain('fake');
    });

    it(`an event line (formatEvent), colour ${color ? 'on' : 'off'}`, () => {
      const out = new Output({ color, json: false });
      const event = {
        id: 1,
        source: 'presence-ha',
        'detail-type': 'NodeStateChanged',
        time: T,
        detail: {
          group: `prg-1${HOSTILE}`,
          nodeId: `imp-a${HOSTILE}`,
          from: 'NORMAL',
          to: HOSTILE,
          reason: HOSTILE,
        },
      } as unknown as BusEvent;
      out.line(formatEvent(event, out.c));
      expectTerminalSafe(written.join(''));
    });
  }

  it('`prg node show`: hostname, versions and service names as the API returned them', async () => {
    const view = {
      nodeId: 'imp-a',
      hostname: `imp-a.example.com${HOSTILE}`,
      clusterId: 'c1',
      softwareVersion: `15.0${HOSTILE}`,
      publisherId: `pub-1${HOSTILE}`,
      group: 'prg-1',
      userCount: 3,
      lastHeartbeatAt: T,
      services: { [HOSTILE]: 'running', [`\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07`]: 'stopped' },
      database: 'up',
      registeredAt: T,
      legacyToken: false,
    };
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify(view), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetch);
    vi.stubEnv('PRG_CONFIG', '/nonexistent/prg-config.json');
    vi.stubEnv('NO_COLOR', '');
    await buildProgram().parseAsync([
      'node',
      'prg',
      'node',
      'show',
      'imp-a',
      '--url',
      'http://prg.test',
      '--token',
      't',
    ]);
    expect(fetch).toHaveBeenCalledOnce();
    const text = written.join('');
    expectTerminalSafe(text);
    expect(text).toContain('imp-a.example.com');

    // --json stays byte for byte what JSON.stringify gives: control characters JSON-escaped, nothing else changed.
    written = [];
    await buildProgram().parseAsync([
      'node',
      'prg',
      'node',
      'show',
      'imp-a',
      '--json',
      '--url',
      'http://prg.test',
      '--token',
      't',
    ]);
    expect(written.join('')).toBe(`${JSON.stringify(view, null, 2)}\n`);
  });
});

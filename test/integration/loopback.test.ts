import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';

/**
 * Nothing `npm start` runs may listen off loopback: DynamoDB Local has no authentication,
 * so whoever reaches its port can rewrite token hashes and group state. This test starts
 * an embedded default with its own DynamoDB Local and lists, from /proc, every listening
 * TCP socket of this process and its descendants.
 */

/** This process and every process below it. */
function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match) inodes.add(match[1]!);
      } catch {
        // Closed meanwhile.
      }
    }
  } catch {
    // The process ended.
  }
  return inodes;
}

interface Listener {
  address: string;
  port: number;
  inode: string;
}

/** Listening TCP sockets of the machine, with their local address in readable form. */
function listeners(): Listener[] {
  const found: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, , state] = [fields[1]!, fields[2]!, fields[3]!];
      if (state !== '0A') continue; // LISTEN
      const [hexAddress, hexPort] = local.split(':') as [string, string];
      found.push({ address: readableAddress(hexAddress), port: parseInt(hexPort, 16), inode: fields[9]! });
    }
  }
  return found;
}

/** /proc's little-endian hex address as text: 127.0.0.1, ::1, ::ffff:127.0.0.1, 0.0.0.0, ::. */
function readableAddress(hex: string): string {
  const words = hex
    .toLowerCase()
    .match(/.{8}/g)!
    .map((word) => word.match(/../g)!.reverse().join(''));
  if (words.length === 1)
    return words[0]!
      .match(/../g)!
      .map((byte) => parseInt(byte, 16))
      .join('.');
  const full = words.join('');
  if (full === '00000000000000000000000000000001') return '::1';
  if (full === '00000000000000000000000000000000') return '::';
  if (full.startsWith('00000000000000000000ffff')) {
    return `::ffff:${full
      .slice(24)
      .match(/../g)!
      .map((byte) => parseInt(byte, 16))
      .join('.')}`;
  }
  return full;
}

const isLoopback = (address: string) =>
  address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');

describe.runIf(process.platform === 'linux')('what npm start listens on', () => {
  let embedded: Embedded;
  beforeAll(async () => {
    // Its own DynamoDB Local, as `npm start` has: not the run's shared one.
    embedded = await startEmbedded({ port: 0, writeLine: () => undefined });
  }, 120_000);
  afterAll(async () => {
    await embedded?.stop();
  });

  it('every listening socket of the process tree is on a loopback address, DynamoDB Local included', () => {
    const inodes = new Set(processTree(process.pid).flatMap((pid) => [...socketInodes(pid)]));
    const ours = listeners().filter((l) => inodes.has(l.inode));
    const apiPort = Number(new URL(embedded.url).port);
    const dynamoPort = Number(new URL(embedded.dynamoEndpoint).port);
    // Both servers were found, so the check below looked at them.
    expect(ours.map((l) => l.port)).toEqual(expect.arrayContaining([apiPort, dynamoPort]));
    const exposed = ours.filter((l) => !isLoopback(l.address));
    expect(exposed, `listening off loopback: ${JSON.stringify(exposed)}`).toEqual([]);
  });
});

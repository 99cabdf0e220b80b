import { createInterface } from 'node:readline/promises';
import type { DryRunView } from '../lambdas/contract';
import type { Output } from './output';
import { paintState } from './states';

/** The terminal a question is asked on; tests hand in their own. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

const PROCESS_TERMINAL: Terminal = { input: process.stdin, output: process.stdout };

/**
 * Whether to ask before acting: only when a person is at a terminal (stdin and stdout
 * both TTYs) and `--yes` was not given. Scripts, pipes and CI proceed as they always did.
 */
export function shouldAsk(yes: boolean | undefined, terminal: Terminal = PROCESS_TERMINAL): boolean {
  return yes !== true && terminal.input.isTTY === true && terminal.output.isTTY === true;
}

/** Asks a yes/no question; only "y" or "yes" (any case) is a yes, anything else (or end of input) a no. */
export async function confirm(question: string, terminal: Terminal = PROCESS_TERMINAL): Promise<boolean> {
  const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: false });
  try {
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

/** A dry run as lines: the workflow, each node now → right after → at the end, the users that move. */
export function renderDryRun(out: Output, dry: DryRunView, group: string): string {
  const c = out.c;
  const label = (s: { state: DryRunView['nodes'][number]['state'] }) =>
    paintState(c, s.state, s.state === null ? 'not managed' : undefined);
  const lines = [
    `Dry run on group ${group}: would start ${dry.kind}; nothing was changed.`,
    out.table(
      ['NODE', 'RIGHT AFTER', 'WHEN IT COMPLETES'],
      dry.nodes.map((n, i) => {
        const end = dry.end[i] ?? n;
        return [n.nodeId, label(n), label(end)];
      }),
      2,
    ),
    `  Users whose serving node changes: ${dry.usersToMove}`,
  ];
  return lines.join('\n');
}

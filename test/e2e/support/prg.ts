import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/prg.mjs', import.meta.url));

/**
 * The Node that runs the CLI: this one, or `PRG_E2E_NODE` to check another version
 * (the CLI supports Node 20 and 22; vitest itself needs 22):
 * `PRG_E2E_NODE=/usr/bin/node npx vitest run test/e2e/cli.test.ts`.
 */
const NODE = process.env.PRG_E2E_NODE || process.execPath;

/** What an operator sees from one run of `prg`. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a `prg` child: this process's, without anything that would change
 * prg's behaviour behind the test's back (colour switches, PRG_* settings), with HOME and
 * XDG_CONFIG_HOME in `home` so that nothing can read or write the real home directory.
 */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('PRG_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR' && k !== 'CI',
  );
  const merged = {
    ...Object.fromEntries(inherited),
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    ...extra,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

/** A running `prg`: the child, what it has printed so far, and its end. */
export interface Running {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  done: Promise<Run>;
}

/** Starts the real CLI (`node bin/prg.mjs ...`) as a child process. */
export function spawnPrg(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(NODE, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** Runs `prg` to its end, killed after `timeoutMs` so that no test hangs on it. */
export async function runPrg(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 25_000): Promise<Run> {
  const { child, done } = spawnPrg(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

export { eventually as until } from '../../support/eventually';

import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/eventually';

/** `npm start` as an operator runs it, with the environment it reads. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('npm start with PRG_DYNAMODB_ENDPOINT', () => {
  it('uses the DynamoDB it is given (tables created there), starts none of its own, and says so', async () => {
    const endpoint = inject('dynamoEndpoint');
    const run = start({ PRG_DYNAMODB_ENDPOINT: endpoint });
    try {
      const api = await eventually(
        'the start banner',
        async () => /API\s+(http:\/\/\S+)\/v1/.exec(run.output().stdout)?.[1],
        60_000,
      );
      expect(run.output().stdout).toContain(`in the DynamoDB at ${endpoint} (PRG_DYNAMODB_ENDPOINT)`);
      expect(run.output().stdout).toContain('(yours: not started or watched by presence-ha)');
      expect((await fetch(`${api}/v1/health`)).status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 90_000);

  it('a value that is not a URL stops the start, saying what is expected', async () => {
    const run = start({ PRG_DYNAMODB_ENDPOINT: 'localhost:8000/x y' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/PRG_DYNAMODB_ENDPOINT must be .*URL/);
  }, 60_000);
});

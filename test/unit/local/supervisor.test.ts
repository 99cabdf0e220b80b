import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { DynamoDbLocal } from '../../../local/dynamodbLocal';
import { DynamoDbLocalSupervisor } from '../../../local/supervisor';

/** A DynamoDB Local whose process a test can end. */
function fakeDynamoDbLocal(): DynamoDbLocal & { die(): void; stopped: boolean } {
  const process = new EventEmitter() as unknown as ChildProcess;
  const db = {
    endpoint: 'http://127.0.0.1:1',
    process,
    stopped: false,
    async stop() {
      db.stopped = true;
    },
    die: () => process.emit('exit', null, 'SIGKILL'),
  };
  return db;
}

function supervised(o: { keepsData?: boolean; failStarts?: number } = {}) {
  let clock = 0;
  const lines: string[] = [];
  const started: ReturnType<typeof fakeDynamoDbLocal>[] = [];
  const fatal: string[] = [];
  let failures = o.failStarts ?? 0;
  let tablesCreated = 0;
  const first = fakeDynamoDbLocal();
  const supervisor = new DynamoDbLocalSupervisor(first, {
    start: async () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('port still in use');
      }
      const next = fakeDynamoDbLocal();
      started.push(next);
      return next;
    },
    afterRestart: async () => {
      tablesCreated += 1;
    },
    keepsData: o.keepsData ?? false,
    writeLine: (line) => lines.push(line),
    giveUp: (message) => fatal.push(message),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  return {
    supervisor,
    first,
    started,
    lines: () => lines.map((l) => JSON.parse(l) as { level: string; message: string }),
    fatal,
    tablesCreated: () => tablesCreated,
    advance: (ms: number) => (clock += ms),
  };
}

describe('DynamoDB Local under the embedded default', () => {
  it('is restarted when it dies, tables re-created, with one line when it stops and one when it is back', async () => {
    const s = supervised();
    s.first.die();
    await s.supervisor.restarting;
    expect(s.started).toHaveLength(1);
    expect(s.tablesCreated()).toBe(1);
    expect(s.supervisor.running).toBe(s.started[0]);
    const lines = s.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'WARN' });
    expect(lines[0]!.message).toMatch(
      /stopped unexpectedly \(signal SIGKILL\).*in memory.*gone.*PRG_DATA_DIR/,
    );
    expect(lines[1]).toMatchObject({ level: 'INFO', message: expect.stringMatching(/running again/) });
  });

  it('says the data is kept when it has a data directory', async () => {
    const s = supervised({ keepsData: true });
    s.first.die();
    await s.supervisor.restarting;
    expect(s.lines()[0]!.message).toMatch(/data directory is kept/);
  });

  it('tries again when a restart fails', async () => {
    const s = supervised({ failStarts: 1 });
    s.first.die();
    await s.supervisor.restarting;
    expect(s.started).toHaveLength(1);
    expect(s.lines().map((l) => l.level)).toEqual(['WARN', 'WARN', 'INFO']);
    expect(s.fatal).toEqual([]);
  });

  it('gives up, saying what happened and what to check, after three restarts within a minute', async () => {
    const s = supervised();
    s.first.die();
    await s.supervisor.restarting;
    for (const next of [0, 1, 2]) {
      s.advance(5_000);
      s.started[next]!.die();
      await s.supervisor.restarting;
    }
    expect(s.started).toHaveLength(3);
    expect(s.fatal).toHaveLength(1);
    expect(s.fatal[0]).toMatch(/stopped 3 times within 60 s.*java -version/);
  });

  it('keeps restarting when the deaths are more than a minute apart', async () => {
    const s = supervised();
    s.first.die();
    await s.supervisor.restarting;
    for (const next of [0, 1, 2, 3]) {
      s.advance(61_000);
      s.started[next]!.die();
      await s.supervisor.restarting;
    }
    expect(s.started).toHaveLength(5);
    expect(s.fatal).toEqual([]);
  });

  it('does not restart what it was told to stop', async () => {
    const s = supervised();
    await s.supervisor.stop();
    s.first.die();
    await s.supervisor.restarting;
    expect(s.first.stopped).toBe(true);
    expect(s.started).toEqual([]);
    expect(s.lines()).toEqual([]);
  });
});

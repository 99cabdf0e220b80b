import type { DynamoDbLocal } from './dynamodbLocal';

export interface SupervisorOptions {
  /** Starts DynamoDB Local again, on the same port and data directory. */
  start(): Promise<DynamoDbLocal>;
  /** Makes the restarted DynamoDB Local usable again (tables are gone when it kept no data). */
  afterRestart(): Promise<void>;
  /** Whether the data survives a restart (a data directory) or is lost with the process. */
  keepsData: boolean;
  /** One operator line per event, JSON as the embedded default's other log lines. */
  writeLine(line: string): void;
  /** Called once when restarting does not help: the embedded default cannot go on. */
  giveUp(message: string): void;
  /** How many restarts within `windowMs` mean restarting does not help (3 in a minute). */
  maxRestarts?: number;
  windowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Keeps DynamoDB Local running under the embedded default: when it dies, says so once,
 * starts it again on the same port (so nothing else has to change), re-creates its tables,
 * and says when it is back. After `maxRestarts` restarts within `windowMs` it gives up and
 * says what happened, rather than pretending to be fine while every data route fails.
 */
export class DynamoDbLocalSupervisor {
  private current: DynamoDbLocal;
  private stopping = false;
  private restarts: number[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Settles when the restart under way (if any) has ended; for tests and for stop(). */
  restarting: Promise<void> = Promise.resolve();

  constructor(
    first: DynamoDbLocal,
    private readonly options: SupervisorOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.current = first;
    this.watch(first);
  }

  private log(level: 'WARN' | 'INFO' | 'ERROR', message: string): void {
    this.options.writeLine(JSON.stringify({ level, message, at: new Date(this.now()).toISOString() }));
  }

  private watch(db: DynamoDbLocal): void {
    db.process.once('exit', (code, signal) => {
      if (this.stopping || db !== this.current) return;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.log(
        'WARN',
        `DynamoDB Local stopped unexpectedly (${how}); every data route answers 503 until it is back. Restarting it on the same port. ` +
          (this.options.keepsData
            ? 'Its data directory is kept.'
            : 'It kept its data in memory, so every node, group and user is gone: register them again, or set PRG_DATA_DIR to keep data across restarts.'),
      );
      this.restarting = this.restart();
    });
  }

  private async restart(): Promise<void> {
    const maxRestarts = this.options.maxRestarts ?? 3;
    const windowMs = this.options.windowMs ?? 60_000;
    for (;;) {
      if (this.stopping) return;
      const now = this.now();
      this.restarts = [...this.restarts.filter((at) => now - at < windowMs), now];
      if (this.restarts.length > maxRestarts) {
        const message = `DynamoDB Local stopped ${maxRestarts} times within ${windowMs / 1000} s of being restarted; presence-ha cannot go on without storage. Check that Java still runs (java -version), that the disk is not full${this.options.keepsData ? ' and that the data directory is writable' : ''}, then start again.`;
        this.log('ERROR', message);
        this.options.giveUp(message);
        return;
      }
      try {
        const next = await this.options.start();
        if (this.stopping) {
          await next.stop();
          return;
        }
        this.current = next;
        await this.options.afterRestart();
        this.watch(next);
        this.log('INFO', 'DynamoDB Local is running again; data routes answer again.');
        return;
      } catch (e) {
        this.log(
          'WARN',
          `Restarting DynamoDB Local failed: ${e instanceof Error ? e.message : String(e)}. Trying again.`,
        );
        await this.sleep(1_000);
      }
    }
  }

  /** The DynamoDB Local running now. */
  get running(): DynamoDbLocal {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await this.current.stop();
  }
}

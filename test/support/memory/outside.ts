import type { DomainEvent } from '../../../lambdas/core';
import type {
  Clock,
  EventPublisher,
  OperatorLog,
  OperatorMetrics,
  WorkflowInput,
  WorkflowStarter,
} from '../../../lambdas/app';
import { copy } from './database';

const roundTrip = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The test's clock: it moves only when the test moves it. */
export class MemoryClock implements Clock {
  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/**
 * Step Functions in memory. An execution is named after its group and operation, so
 * starting the same operation again finds the one already there, as the real service does.
 */
export class MemoryWorkflowStarter implements WorkflowStarter {
  /** Every start request that reached the service, in order (repeats included). */
  readonly requests: WorkflowInput[] = [];
  /** One execution per group and operation, in the order they were first started. */
  readonly executions = new Map<string, WorkflowInput>();
  private failures: Error[] = [];

  /** The next start request fails with `error` (the service unavailable) and starts nothing. */
  failNext(error = new Error('Step Functions unavailable')): void {
    this.failures.push(error);
  }

  async start(input: WorkflowInput): Promise<void> {
    await roundTrip();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.requests.push(copy(input));
    const name = `${input.group}--${input.operationId}`;
    if (!this.executions.has(name)) this.executions.set(name, copy(input));
  }

  /** The executions started, as their input. */
  started(): WorkflowInput[] {
    return [...this.executions.values()];
  }
}

/** EventBridge in memory: the events published, in order. */
export class MemoryEventPublisher implements EventPublisher {
  readonly published: DomainEvent[] = [];
  private failures: Error[] = [];

  failNext(error = new Error('EventBridge unavailable')): void {
    this.failures.push(error);
  }

  async publish(events: DomainEvent[]): Promise<void> {
    await roundTrip();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.published.push(...copy(events));
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown> | undefined;
}

/** The operator log, kept as lines. */
export class MemoryLog implements OperatorLog {
  readonly lines: LogLine[] = [];

  info(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, extra });
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }

  error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }

  at(level: LogLine['level']): LogLine[] {
    return this.lines.filter((line) => line.level === level);
  }
}

/** The operator metrics, kept as `[name, value]` in the order they were recorded. */
export class MemoryMetrics implements OperatorMetrics {
  readonly recorded: [string, number][] = [];

  count(name: 'Failovers' | 'Fallbacks' | 'Recoveries' | 'FailedOperations', value = 1): void {
    this.recorded.push([name, value]);
  }

  seconds(name: 'DetectionLatency', value: number): void {
    this.recorded.push([name, value]);
  }
}

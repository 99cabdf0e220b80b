import { HmacCursorSigner, StaticNodeTokenKeys, type Ports } from '../../../lambdas/app';
import { MemoryDatabase } from './database';
import { MemoryGroupRepository } from './groups';
import { MemoryHistoryRepository } from './history';
import { MemoryNodeRepository } from './nodes';
import {
  MemoryClock,
  MemoryEventPublisher,
  MemoryLog,
  MemoryMetrics,
  MemoryWorkflowStarter,
} from './outside';
import { MemorySettingsRepository } from './settings';
import { MemoryUserRepository } from './users';

export { MemoryDatabase, type StoredGroup } from './database';
export { MemoryGroupRepository } from './groups';
export { MemoryHistoryRepository } from './history';
export { MemoryNodeRepository } from './nodes';
export { MemorySettingsRepository } from './settings';
export { MemoryUserRepository } from './users';
export * from './outside';

/** The same moment as the DynamoDB harness starts at, so scenarios read alike. */
export const CLOCK_START = Date.UTC(2026, 10, 25, 9, 0, 0);

/**
 * Every port of the use cases, in memory and sharing one database, with the handles a
 * test looks through: the workflows started, the events published, the log and metrics,
 * and the clock to move.
 */
export function memoryPorts(clockStart = CLOCK_START) {
  const db = new MemoryDatabase();
  const clock = new MemoryClock(clockStart);
  const groups = new MemoryGroupRepository(db);
  const nodes = new MemoryNodeRepository(db);
  const users = new MemoryUserRepository(db);
  const settings = new MemorySettingsRepository(db);
  const history = new MemoryHistoryRepository(db);
  const workflows = new MemoryWorkflowStarter();
  const events = new MemoryEventPublisher();
  const log = new MemoryLog();
  const metrics = new MemoryMetrics();
  // Storage that answers until a test says it is down, as DynamoDB Local does when killed.
  const storage = {
    down: null as string | null,
    async check() {
      if (storage.down) throw new Error(storage.down);
    },
  };
  const ports: Ports = {
    groups,
    nodes,
    users,
    settings,
    history,
    workflows,
    events,
    clock,
    storage,
    cursors: HmacCursorSigner.random(),
    nodeTokens: StaticNodeTokenKeys.random(),
    log,
    metrics,
  };
  return {
    ports,
    db,
    storage,
    clock,
    groups,
    nodes,
    users,
    settings,
    history,
    workflows,
    events,
    log,
    metrics,
    /** The executions started, as their input. */
    started: () => workflows.started(),
    /** The events published, in order. */
    published: () => events.published,
  };
}

export type MemoryPorts = ReturnType<typeof memoryPorts>;

import { GetCommand, type DocumentDb } from './commands';
import type { StorageProbe } from '../../app/ports';
import type { TableNames } from './client';

/**
 * Storage answers when a read of one small item does: an eventually consistent GetItem
 * of a key that never exists costs 0.5 read unit and needs only the read grant.
 */
export class DynamoStorageProbe implements StorageProbe {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
  ) {}

  async check(): Promise<void> {
    await this.db.send(
      new GetCommand({ TableName: this.tables.settings, Key: { scope: 'readiness-probe' } }),
    );
  }
}

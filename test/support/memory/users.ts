import {
  ConflictError,
  type Page,
  type PageRequest,
  type UserRecord,
  type UserRepository,
} from '../../../lambdas/app';
import { pageOf } from './paging';
import { copy, type MemoryDatabase } from './database';

/**
 * Users in memory. As in DynamoDB, every change of a home node moves the node counts in
 * the same all-or-nothing step, conditional on the home being what the caller read.
 */
export class MemoryUserRepository implements UserRepository {
  constructor(private readonly db: MemoryDatabase) {}

  private nodesExist(...ids: (string | null)[]): boolean {
    return ids.every((id) => id === null || this.db.nodes.has(id));
  }

  private count(nodeId: string | null, delta: number): void {
    if (nodeId !== null) this.db.nodes.get(nodeId)!.userCount += delta;
  }

  async create(user: UserRecord): Promise<void> {
    await this.db.call('users.create');
    if (this.db.users.has(user.userId)) {
      throw new ConflictError(`User ${user.userId} already exists.`, 'ALREADY_EXISTS');
    }
    if (!this.nodesExist(user.homeNode)) {
      throw new ConflictError(`Node ${user.homeNode} was deleted meanwhile; try again.`, 'CONCURRENT_UPDATE');
    }
    this.db.users.set(user.userId, copy(user));
    this.count(user.homeNode, 1);
  }

  async get(userId: string): Promise<UserRecord | null> {
    await this.db.call('users.get');
    const user = this.db.users.get(userId);
    return user ? copy(user) : null;
  }

  async remove(user: UserRecord): Promise<void> {
    await this.db.call('users.remove');
    const stored = this.db.users.get(user.userId);
    if (!stored || stored.homeNode !== user.homeNode || !this.nodesExist(user.homeNode)) {
      throw new ConflictError(
        `User ${user.userId} changed meanwhile; nothing was deleted. Try again.`,
        'CONCURRENT_UPDATE',
      );
    }
    this.db.users.delete(user.userId);
    this.count(user.homeNode, -1);
  }

  async setHome(user: UserRecord, homeNode: string | null): Promise<void> {
    if (user.homeNode === homeNode) return;
    await this.db.call('users.setHome');
    const stored = this.db.users.get(user.userId);
    if (!stored || stored.homeNode !== user.homeNode || !this.nodesExist(user.homeNode, homeNode)) {
      throw new ConflictError(
        `User ${user.userId} changed meanwhile; nothing was moved. Try again.`,
        'CONCURRENT_UPDATE',
      );
    }
    stored.homeNode = homeNode;
    this.count(user.homeNode, -1);
    this.count(homeNode, 1);
  }

  async page(filter: { homeNode?: string }, request: PageRequest): Promise<Page<UserRecord>> {
    await this.db.call('users.page');
    const users = [...this.db.users.values()].filter(
      (u) => filter.homeNode === undefined || u.homeNode === filter.homeNode,
    );
    const page = pageOf(
      users,
      request,
      (u) => ({ userId: u.userId }),
      (k) => String(k.userId),
    );
    return { items: page.items.map(copy), last: page.last };
  }

  /** Users without a home are not in the home index, as in the table's `byHomeNode`. */
  async listByHome(nodeId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    await this.db.call('users.listByHome');
    return [...this.db.users.values()]
      .filter((u) => u.homeNode === nodeId)
      .slice(0, limit)
      .map((u) => u.userId);
  }
}

import { GroupInvariantError } from '../errors';
import type { GroupState } from '../types';

/** What {@link currentNode} needs of a group; a whole `GroupState` will do. */
export type ServingGroup = Pick<GroupState, 'nodes' | 'failedOver' | 'highAvailability'> & {
  readonly name?: string;
};

/**
 * The node serving a user right now (`currentNode`): the home node, or its peer
 * while the home node is failed over. Derived, never stored, so a failover or fallback
 * costs the same for 10 users or 150,000. Users move only when a workflow's user move
 * completes (`failedOver` changes then), so during a failover in progress they are
 * still shown on their home node. A group without high availability never fails over.
 *
 * @throws GroupInvariantError when the home node is failed over but has no peer
 */
export function currentNode(homeNode: string, group: ServingGroup): string {
  if (!group.highAvailability || group.failedOver !== homeNode) return homeNode;
  const peer = group.nodes.find((n) => n !== homeNode);
  if (peer === undefined) {
    throw new GroupInvariantError(
      group.name ?? '(unnamed)',
      `node ${homeNode} is failed over but has no peer`,
    );
  }
  return peer;
}

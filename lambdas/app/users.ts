import { createHash } from 'node:crypto';
import {
  chooseHomeNode,
  currentNode,
  keyedRecord,
  planRebalance,
  type CreateUserBody,
  type UserMove,
} from '../core';
import { clusterInFailover } from './groups';
import { adminActionRecord, announce, inTransaction } from './audit';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { openCursor, sealCursor, type CursorScope } from './paging';
import type { Ports } from './ports';
import type { GroupRecord, NodeRecord, UserRecord } from './records';

/** A user as the API shows it (`GET /v1/users/{userId}`). */
export interface UserView {
  userId: string;
  clusterId: string;
  homeNode: string | null;
  currentNode: string | null;
  relogin: { lowerLimitSeconds: number; upperLimitSeconds: number; afterSeconds: number } | null;
}

/**
 * When this user's client should log in again after a failover or fallback: a point
 * between the serving node's lower and upper limits, spread by user id so that 150,000
 * clients do not all come back in the same second, and stable so a client asking twice
 * gets the same answer.
 */
function reloginAfter(userId: string, lower: number, upper: number): number {
  const spread = createHash('sha256').update(userId).digest().readUInt32BE(0) / 0x1_0000_0000;
  return lower + Math.floor(spread * (upper - lower + 1));
}

async function view(ports: Ports, user: UserRecord): Promise<UserView> {
  if (!user.homeNode)
    return viewWith(
      user,
      () => null,
      () => null,
    );
  const home = await ports.nodes.get(user.homeNode);
  const group = home?.group ? await ports.groups.get(home.group) : null;
  const serving = group ? currentNode(user.homeNode, group.group) : user.homeNode;
  const servingNode = serving === user.homeNode ? home : await ports.nodes.get(serving);
  return viewWith(
    user,
    (id) => (id === user.homeNode ? home : id === serving ? servingNode : null),
    () => group,
  );
}

/** The user's view from nodes and groups already read (one read per page, not per user). */
function viewWith(
  user: UserRecord,
  nodeOf: (nodeId: string) => NodeRecord | null,
  groupOf: (name: string) => GroupRecord | null,
): UserView {
  if (!user.homeNode) {
    return {
      userId: user.userId,
      clusterId: user.clusterId,
      homeNode: null,
      currentNode: null,
      relogin: null,
    };
  }
  const home = nodeOf(user.homeNode);
  const group = home?.group ? groupOf(home.group) : null;
  const serving = group ? currentNode(user.homeNode, group.group) : user.homeNode;
  const limits = nodeOf(serving)?.parameters;
  return {
    userId: user.userId,
    clusterId: user.clusterId,
    homeNode: user.homeNode,
    currentNode: serving,
    relogin: limits
      ? {
          lowerLimitSeconds: limits.clientReloginLowerLimit,
          upperLimitSeconds: limits.clientReloginUpperLimit,
          afterSeconds: reloginAfter(
            user.userId,
            limits.clientReloginLowerLimit,
            limits.clientReloginUpperLimit,
          ),
        }
      : null,
  };
}

async function clusterGroups(
  ports: Ports,
  clusterId: string,
): Promise<{ groups: GroupRecord[]; nodes: NodeRecord[] }> {
  const [groups, nodes] = await Promise.all([
    ports.groups.listByCluster(clusterId),
    ports.nodes.listByCluster(clusterId),
  ]);
  return { groups, nodes };
}

// Keyed by node id, which may be any name a plain object already answers to ("constructor").
const counts = (nodes: NodeRecord[]) => keyedRecord(nodes.map((n) => [n.nodeId, n.userCount]));
const assignmentGroups = (groups: GroupRecord[]) =>
  groups.map((g) => ({ name: g.group.name, nodes: g.group.nodes }));

/**
 * Adds a user and lets the sync agent choose its home node. Refused while a node of
 * the cluster is failed over, as the manual requires: first from what the groups show
 * (with their states in the refusal), then by the user's write itself, which fails when
 * any group of the cluster is in a failover state by the time it is made.
 */
export async function addUser(ports: Ports, body: CreateUserBody, by?: string): Promise<UserView> {
  const failing = await clusterInFailover(ports, body.clusterId);
  if (failing) {
    throw new ConflictError(
      `Users cannot be added to cluster ${body.clusterId} while group ${failing.group.name} is failed over; fall back first.`,
      'FAILOVER_IN_PROGRESS',
      failing.group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason })),
    );
  }
  const [{ userAssignmentMode }, { groups, nodes }] = await Promise.all([
    ports.settings.enterprise(),
    clusterGroups(ports, body.clusterId),
  ]);
  const homeNode = chooseHomeNode(userAssignmentMode, assignmentGroups(groups), counts(nodes));
  const user: UserRecord = { ...body, homeNode, createdAt: new Date(ports.clock.now()).toISOString() };
  // The check above reads an index that may lag, and a failover can start right after
  // it: the write itself checks every group of the cluster again, in the same transaction.
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'UserAdded',
    userId: user.userId,
    clusterId: user.clusterId,
    changed: [...Object.keys(body), 'homeNode'].sort(),
    summary: `User ${user.userId} was added to cluster ${user.clusterId} by ${by ?? 'an unknown caller'}, with home ${homeNode ?? 'none'} (mode ${userAssignmentMode}).`,
    by,
  });
  await ports.users.create(user, { groups: groups.map((g) => g.group.name) }, inTransaction(ports, audit));
  await announce(ports, audit);
  return view(ports, user);
}

export async function getUser(ports: Ports, userId: string): Promise<UserView> {
  const user = await ports.users.get(userId);
  if (!user) throw new NotFoundError('user', userId);
  return view(ports, user);
}

/**
 * One page of the users, of every home node or (`query.node`) of one. The home nodes,
 * their groups and the serving peers of the page are each read in one batch.
 */
export async function listUsers(
  ports: Ports,
  query: { node?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ users: UserView[]; next: string | null }> {
  const scope: CursorScope = { list: 'users', filters: query.node === undefined ? {} : { node: query.node } };
  const start = await openCursor(ports.cursors, scope, query.cursor);
  const page = await ports.users.page(query.node === undefined ? {} : { homeNode: query.node }, {
    limit: query.limit,
    start,
  });
  const nodes = new Map<string, NodeRecord>();
  const groups = new Map<string, GroupRecord>();
  const homes = unique(page.items.flatMap((u) => (u.homeNode ? [u.homeNode] : [])));
  for (const n of await ports.nodes.getMany(homes)) nodes.set(n.nodeId, n);
  const groupNames = unique([...nodes.values()].flatMap((n) => (n.group ? [n.group] : [])));
  for (const g of await ports.groups.getMany(groupNames)) groups.set(g.group.name, g);
  // A group's peer serves the users of a failed-over node: read the peers not read yet.
  const peers = unique([...groups.values()].flatMap((g) => g.group.nodes).filter((id) => !nodes.has(id)));
  for (const n of await ports.nodes.getMany(peers)) nodes.set(n.nodeId, n);
  const users = page.items.map((u) =>
    viewWith(
      u,
      (id) => nodes.get(id) ?? null,
      (name) => groups.get(name) ?? null,
    ),
  );
  return { users, next: await sealCursor(ports.cursors, scope, page.last) };
}

const unique = (ids: string[]): string[] => [...new Set(ids)];

export async function deleteUser(ports: Ports, userId: string, by?: string): Promise<void> {
  const user = await ports.users.get(userId);
  if (!user) throw new NotFoundError('user', userId);
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'UserDeleted',
    userId,
    clusterId: user.clusterId,
    changed: [],
    summary: `User ${userId} (home ${user.homeNode ?? 'none'}) was deleted by ${by ?? 'an unknown caller'}.`,
    by,
  });
  await ports.users.remove(user, inTransaction(ports, audit));
  await announce(ports, audit);
}

/** Assigns a user's home node by hand: only in mode NONE, and only to a node of its cluster. */
export async function setHome(ports: Ports, userId: string, nodeId: string, by?: string): Promise<UserView> {
  const user = await ports.users.get(userId);
  if (!user) throw new NotFoundError('user', userId);
  const { userAssignmentMode } = await ports.settings.enterprise();
  if (userAssignmentMode !== 'NONE') {
    throw new ConflictError(
      `User assignment mode is ${userAssignmentMode}: the sync agent assigns users. Set it to NONE with PUT /v1/enterprise-parameters to assign by hand.`,
      'MODE',
    );
  }
  const node = await ports.nodes.get(nodeId);
  if (!node || node.clusterId !== user.clusterId) {
    throw new ValidationError(`Node ${nodeId} is not a node of cluster ${user.clusterId}.`, [
      { path: 'nodeId', message: `must be a registered node of cluster ${user.clusterId}` },
    ]);
  }
  // Setting the home it already has writes nothing, and so records nothing.
  if (user.homeNode !== nodeId) {
    const audit = adminActionRecord(ports.clock.now(), {
      action: 'UserHomeSet',
      userId,
      clusterId: user.clusterId,
      changed: ['homeNode'],
      summary: `The home of user ${userId} was set by ${by ?? 'an unknown caller'}: ${user.homeNode ?? 'none'} → ${nodeId}.`,
      by,
    });
    await ports.users.setHome(user, nodeId, inTransaction(ports, audit));
    await announce(ports, audit);
  }
  return view(ports, { ...user, homeNode: nodeId });
}

/**
 * How many users one rebalance moves at most, so the call ends well within API Gateway's
 * 30 s; the answer says how many remain, and calling again moves the next batch.
 */
const REBALANCE_BATCH = 500;

/**
 * Re-runs the sync agent's assignment over a cluster: plans the fewest moves, then
 * moves that many users per pair of nodes (each move a conditional transaction that
 * keeps the node counts right). Refused during a failover, like adding users.
 */
export async function rebalance(
  ports: Ports,
  clusterId: string,
  by?: string,
): Promise<{ planned: UserMove[]; moved: number; remaining: number }> {
  const failing = await clusterInFailover(ports, clusterId);
  if (failing) {
    throw new ConflictError(
      `Cluster ${clusterId} cannot be rebalanced while group ${failing.group.name} is failed over; fall back first.`,
      'FAILOVER_IN_PROGRESS',
    );
  }
  const [{ userAssignmentMode }, { groups, nodes }] = await Promise.all([
    ports.settings.enterprise(),
    clusterGroups(ports, clusterId),
  ]);
  const planned = planRebalance(userAssignmentMode, assignmentGroups(groups), counts(nodes));
  const moves = planned.reduce((n, m) => n + m.count, 0);
  // Up to 500 separate moves cannot share one transaction with their record: the record
  // is stored first, so no move is made without it (a call that dies midway has a record
  // of more moves than it made; calling again moves the rest).
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'ClusterRebalanced',
    clusterId,
    changed: moves > 0 ? ['homeNode'] : [],
    summary: `Cluster ${clusterId} was rebalanced by ${by ?? 'an unknown caller'} (mode ${userAssignmentMode}): ${moves} user move(s) planned, at most ${REBALANCE_BATCH} made by this call.`,
    by,
  });
  await ports.outbox?.add(audit);
  let moved = 0;
  for (const move of planned) {
    const ids = await ports.users.listByHome(move.from, Math.min(move.count, REBALANCE_BATCH - moved));
    for (const userId of ids) {
      const user = await ports.users.get(userId);
      if (!user || user.homeNode !== move.from) continue;
      await ports.users.setHome(user, move.to);
      moved += 1;
    }
    if (moved >= REBALANCE_BATCH) break;
  }
  const remaining = planned.reduce((n, m) => n + m.count, 0) - moved;
  ports.log.info('Cluster rebalanced', { clusterId, mode: userAssignmentMode, moved, remaining, by });
  await announce(ports, audit);
  return { planned, moved, remaining };
}

import {
  DEFAULT_NODE_PARAMETERS,
  NodeParametersSchema,
  type NodeParameters,
  type NodeParametersPatch,
  type RegisterNodeBody,
} from '../core';
import { adminActionRecord, announce, changedFields, inTransaction } from './audit';
import { NotFoundError, ValidationError } from './errors';
import type { Ports } from './ports';
import { openCursor, sealCursor, type CursorScope } from './paging';
import type { GroupRecord, NodeRecord } from './records';
import { hashToken, issueNodeToken } from './tokens';

/** A node as the API shows it: never its token hash. */
export interface NodeView {
  nodeId: string;
  hostname: string;
  clusterId: string;
  softwareVersion: string;
  publisherId: string;
  group: string | null;
  userCount: number;
  lastHeartbeatAt: string | null;
  services: Record<string, string>;
  database: string | null;
  registeredAt: string;
  /** Still on a `prgn.` token (never rotated since MAC tokens): refused once the legacy window closes. */
  legacyToken: boolean;
  /**
   * For a node on a legacy token, when the legacy window closes (it may have closed
   * already); null when the deployment accepts no legacy token at all. Absent for a node
   * that is not on one, and when the window could not be read.
   */
  legacyTokenAcceptedUntil?: string | null;
}

/** When the legacy window closes, as the views say it; undefined when it cannot be told now. */
async function legacyWindow(ports: Ports): Promise<string | null | undefined> {
  try {
    const until = (await ports.nodeTokens.keyRing()).legacyUntil ?? null;
    return until === null ? null : new Date(until).toISOString();
  } catch {
    // A read view does not fail over a date: the node is still flagged legacy without it.
    return undefined;
  }
}

/** Adds the legacy window's end to the views of legacy nodes, reading it only if there is one. */
async function withLegacyWindow(ports: Ports, views: NodeView[]): Promise<NodeView[]> {
  if (!views.some((v) => v.legacyToken)) return views;
  const until = await legacyWindow(ports);
  if (until === undefined) return views;
  return views.map((v) => (v.legacyToken ? { ...v, legacyTokenAcceptedUntil: until } : v));
}

/** The node's public view; heartbeat facts come from its group while it is in one. */
export async function nodeView(ports: Ports, node: NodeRecord): Promise<NodeView> {
  const view = nodeViewWith(node, node.group ? await ports.groups.get(node.group) : null);
  const [withWindow] = await withLegacyWindow(ports, [view]);
  return withWindow ?? view;
}

/** The node's public view, given its group as already read (null: in none, or not found). */
function nodeViewWith(node: NodeRecord, group: GroupRecord | null): NodeView {
  let last: { at: number | null; services: Record<string, string>; database: string | null } = {
    at: node.lastHeartbeat?.at ?? null,
    services: node.lastHeartbeat?.body.services ?? {},
    database: node.lastHeartbeat?.body.database ?? null,
  };
  if (node.group) {
    const member = group?.group.members.find((m) => m.nodeId === node.nodeId);
    if (member?.lastHeartbeatAt) {
      last = { at: member.lastHeartbeatAt, services: member.services, database: member.database };
    }
  }
  return {
    nodeId: node.nodeId,
    hostname: node.hostname,
    clusterId: node.clusterId,
    softwareVersion: node.softwareVersion,
    publisherId: node.publisherId,
    group: node.group,
    userCount: node.userCount,
    lastHeartbeatAt: last.at === null ? null : new Date(last.at).toISOString(),
    services: last.services,
    database: last.database,
    registeredAt: node.registeredAt,
    // Every token issued since MAC tokens carries a generation; a node without one was
    // registered by the release before and has not been rotated since (lambdas/app/nodeAuth.ts).
    legacyToken: node.tokenGeneration === undefined,
  };
}

/** Registers a node and issues its token, shown this once and stored only as a hash. */
export async function registerNode(
  ports: Ports,
  body: RegisterNodeBody,
  by?: string,
): Promise<{ node: NodeView; token: string }> {
  const token = issueNodeToken(await ports.nodeTokens.keyRing(), body.nodeId, 1);
  const node: NodeRecord = {
    ...body,
    tokenHash: hashToken(token),
    tokenGeneration: 1,
    group: null,
    parameters: { ...DEFAULT_NODE_PARAMETERS },
    userCount: 0,
    lastHeartbeat: null,
    registeredAt: new Date(ports.clock.now()).toISOString(),
  };
  // The record names the fields given, never the token or its hash.
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'NodeRegistered',
    nodeId: node.nodeId,
    clusterId: node.clusterId,
    changed: Object.keys(body).sort(),
    summary: `Node ${node.nodeId} (${node.hostname}, cluster ${node.clusterId}) was registered by ${by ?? 'an unknown caller'} and given a token of generation 1.`,
    by,
  });
  await ports.nodes.create(node, inTransaction(ports, audit));
  ports.log.info('Node registered', { nodeId: node.nodeId, clusterId: node.clusterId, by });
  await announce(ports, audit);
  return { node: await nodeView(ports, node), token };
}

export async function getNode(ports: Ports, nodeId: string): Promise<NodeRecord> {
  const node = await ports.nodes.get(nodeId);
  if (!node) throw new NotFoundError('node', nodeId);
  return node;
}

/**
 * One page of the registered nodes. The groups of the page's nodes are read in one batch,
 * so a page costs one scan and one batch read however large the fleet is.
 */
export async function listNodes(
  ports: Ports,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ nodes: NodeView[]; next: string | null }> {
  const scope: CursorScope = { list: 'nodes', filters: {} };
  const start = await openCursor(ports.cursors, scope, query.cursor);
  const page = await ports.nodes.page({ limit: query.limit, start });
  const names = [...new Set(page.items.flatMap((n) => (n.group ? [n.group] : [])))];
  const groups = new Map((await ports.groups.getMany(names)).map((g) => [g.group.name, g]));
  return {
    nodes: await withLegacyWindow(
      ports,
      page.items.map((n) => nodeViewWith(n, n.group ? (groups.get(n.group) ?? null) : null)),
    ),
    next: await sealCursor(ports.cursors, scope, page.last),
  };
}

/** Deletes a node that is in no group and home to no user. */
export async function deleteNode(ports: Ports, nodeId: string, by?: string): Promise<void> {
  const node = await getNode(ports, nodeId);
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'NodeDeleted',
    nodeId,
    clusterId: node.clusterId,
    changed: [],
    summary: `Node ${nodeId} (${node.hostname}, cluster ${node.clusterId}) was deleted by ${by ?? 'an unknown caller'}; its token no longer works.`,
    by,
  });
  await ports.nodes.remove(nodeId, inTransaction(ports, audit));
  ports.log.info('Node deleted', { nodeId, by });
  await announce(ports, audit);
}

/**
 * Issues a new token of the next generation, signed with the current key; the old one
 * stops working at once, in its group's fast path too. Also how a node's token is moved
 * off a key being replaced (docs/threat-model.md).
 */
export async function rotateToken(ports: Ports, nodeId: string, by?: string): Promise<{ token: string }> {
  const node = await getNode(ports, nodeId);
  const from = node.tokenGeneration ?? null;
  const to = (from ?? 0) + 1;
  const token = issueNodeToken(await ports.nodeTokens.keyRing(), nodeId, to);
  const hash = hashToken(token);
  // The generation only: the token and its hash stay out of every record.
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'NodeTokenRotated',
    group: node.group,
    nodeId,
    clusterId: node.clusterId,
    changed: ['token'],
    summary: `The token of node ${nodeId} was rotated by ${by ?? 'an unknown caller'} (generation ${from ?? 'none'} → ${to}); the old one no longer works.`,
    by,
  });
  await ports.nodes.rotateTokenHash(nodeId, node.group, hash, { from, to }, inTransaction(ports, audit));
  ports.log.info('Node token rotated', { nodeId, generation: to, by });
  await announce(ports, audit);
  return { token };
}

export async function nodeParameters(ports: Ports, nodeId: string): Promise<NodeParameters> {
  return (await getNode(ports, nodeId)).parameters;
}

/** Changes per-node parameters; the lower ≤ upper rule is checked on the merged result. */
export async function patchNodeParameters(
  ports: Ports,
  nodeId: string,
  patch: NodeParametersPatch,
  by?: string,
): Promise<NodeParameters> {
  const node = await getNode(ports, nodeId);
  const merged = NodeParametersSchema.safeParse({ ...node.parameters, ...patch });
  if (!merged.success) {
    throw new ValidationError(
      'The parameters would break a rule; nothing was changed.',
      merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const changed = changedFields(node.parameters, patch);
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'NodeParametersChanged',
    group: node.group,
    nodeId,
    clusterId: node.clusterId,
    changed,
    summary: `The parameters of node ${nodeId} were changed by ${by ?? 'an unknown caller'}: ${changed.join(', ') || 'no value changed'}.`,
    by,
  });
  await ports.nodes.setParameters(nodeId, merged.data, inTransaction(ports, audit));
  await announce(ports, audit);
  return merged.data;
}

import { z } from 'zod';
import { ClusterIdSchema, GroupNameSchema, NodeIdSchema, UserIdSchema } from '../../core';
import { parse } from './parse';

/** Path parameters, validated like bodies so a bad id is a 400 naming it, never a lookup. */
const PathSchemas = {
  nodeId: z.object({ nodeId: NodeIdSchema }),
  name: z.object({ name: GroupNameSchema }),
  clusterId: z.object({ clusterId: ClusterIdSchema }),
  userId: z.object({ userId: UserIdSchema }),
};

export function pathParam<K extends keyof typeof PathSchemas>(
  path: Record<string, string | undefined>,
  key: K,
): string {
  const parsed = parse(PathSchemas[key], { [key]: path[key] }, 'path') as Record<K, string>;
  return parsed[key];
}

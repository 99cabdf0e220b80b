/** Lambda entry of the `nodes` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeNodesHandler } from '../handlers/nodes';

export const handler = makeNodesHandler(portsFromEnv(process.env));

/** Lambda entry of the `groups` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeGroupsHandler } from '../handlers/groups';

export const handler = makeGroupsHandler(portsFromEnv(process.env));

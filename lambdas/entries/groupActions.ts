/** Lambda entry of the `groupActions` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeGroupActionsHandler } from '../handlers/groupActions';

export const handler = makeGroupActionsHandler(portsFromEnv(process.env));

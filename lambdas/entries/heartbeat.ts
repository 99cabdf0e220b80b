/** Lambda entry of the `heartbeat` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeHeartbeatHandler } from '../handlers/heartbeat';

export const handler = makeHeartbeatHandler(portsFromEnv(process.env));

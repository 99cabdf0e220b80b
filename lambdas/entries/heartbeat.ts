/** Lambda entry of the `heartbeat` function: its ports (`HEARTBEAT_PORTS`), built once per cold start from the environment. */
import { heartbeatPortsFromEnv } from '../handlers/composition';
import { makeHeartbeatHandler } from '../handlers/heartbeat';

export const handler = makeHeartbeatHandler(heartbeatPortsFromEnv(process.env));

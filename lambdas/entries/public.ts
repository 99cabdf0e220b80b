/** Lambda entry of the `public` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makePublicHandler } from '../handlers/public';

export const handler = makePublicHandler(portsFromEnv(process.env));

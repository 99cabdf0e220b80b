/** Lambda entry of the `parameters` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeParametersHandler } from '../handlers/parameters';

export const handler = makeParametersHandler(portsFromEnv(process.env));

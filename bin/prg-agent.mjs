#!/usr/bin/env node
// The `prg-agent` node agent. Its sources are TypeScript; tsx compiles them on the fly so
// the agent runs from a checkout with no build step (Node 20 or newer).
import { register } from 'tsx/esm/api';

register();
await import('../agent/main.ts');

#!/usr/bin/env node
// The `prg` CLI. Its sources are TypeScript; tsx compiles them on the fly so the CLI
// runs from a checkout with no build step (Node 20 or newer).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NodeIdSchema } from '../lambdas/core';

/** A zod error callback: "is required" when the field is missing, else what it must be. */
const must = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const seconds = (min: number, max: number, fallback: number) =>
  z
    .number({ error: must('a number of seconds') })
    .min(min, `must be at least ${min} s`)
    .max(max, `must be at most ${max} s`)
    .default(fallback);

const command = z.string({ error: must('a shell command (a string)') }).min(1, 'must not be empty');

/** systemd unit names: what `systemctl` accepts, and nothing a shell could read as syntax. */
const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]{1,256}$/;

/**
 * How the agent learns whether one critical service runs (or the database is up): the
 * exit status of a shell command, a systemd unit, or an HTTP URL answering 2xx. Exactly
 * one of the three, each bounded by `timeoutSeconds` (a check that does not answer in
 * time counts as not running: a hung service is not serving users either).
 */
export const CheckSchema = z
  .object({
    command: command.optional(),
    systemdUnit: z
      .string({ error: must('a systemd unit name') })
      .regex(UNIT_NAME, 'must be a systemd unit name such as "cisco-sip-proxy" or "sipd.service"')
      .optional(),
    http: z.url({ protocol: /^https?$/, error: must('an http:// or https:// URL') }).optional(),
    /** Default: 5 s, or a third of keepAliveTimeoutSeconds when that is shorter. */
    timeoutSeconds: z
      .number({ error: must('a number of seconds') })
      .min(0.1, 'must be at least 0.1 s')
      .max(300, 'must be at most 300 s')
      .optional(),
  })
  .strict()
  .superRefine((check, ctx) => {
    const kinds = (['command', 'systemdUnit', 'http'] as const).filter((k) => check[k] !== undefined);
    if (kinds.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      message:
        kinds.length === 0
          ? 'needs one of "command", "systemdUnit" or "http"'
          : `needs exactly one of "command", "systemdUnit" or "http", not ${kinds.map((k) => `"${k}"`).join(' and ')}`,
    });
  });
export type Check = z.infer<typeof CheckSchema>;

/** The bounds of the cluster's `criticalServices` (docs/data-model.md), which the heartbeat's `services` mirrors. */
const MAX_SERVICES = 32;
const MAX_SERVICE_NAME = 128;

/** The agent's configuration file (JSON), as docs/agent.md describes it. */
export const AgentConfigSchema = z
  .object({
    /** The control plane, e.g. `http://127.0.0.1:3000` (a trailing `/v1` is accepted). */
    apiUrl: z.url({ protocol: /^https?$/, error: must('an http:// or https:// URL') }),
    nodeId: z.string({ error: must('a node id') }).pipe(NodeIdSchema),
    /** The token `POST /v1/nodes` (or `prg node register`) printed for this node. */
    token: z.string({ error: must('the node token (a string)') }).min(1, 'must not be empty'),
    /**
     * The cluster's `keepAliveTimeout`: after this long without an acknowledged heartbeat
     * the agent stops its critical services (self-fencing). Never set it above the
     * cluster's value: the peer takes the users over after that long.
     */
    keepAliveTimeoutSeconds: seconds(2, 3600, 60),
    services: z
      .record(z.string(), CheckSchema, { error: must('an object of service name → check') })
      .optional(),
    database: CheckSchema.optional(),
    startCommand: command.optional(),
    stopCommand: command.optional(),
    /**
     * The longest the node's stop command takes (its declared stop time): the fence
     * starts the stop this long before keepAliveTimeout runs out, so that the services
     * are down before the peer may take the users over. Default: 10 s, or a quarter of
     * the keepAliveTimeout when that is shorter (docs/safety.md).
     */
    stopTimeSeconds: z
      .number({ error: must('a number of seconds') })
      .min(0, 'must be at least 0 s')
      .max(3600, 'must be at most 3600 s')
      .optional(),
    /** How long a start or stop command may run before the agent gives up on it. */
    commandTimeoutSeconds: seconds(1, 3600, 300),
    /**
     * Where the agent keeps its boot counter (relative paths are read from the config
     * file's directory). Default: beside the config file, `agent.json` → `agent.state.json`.
     */
    stateFile: z
      .string({ error: must('a file path (a string)') })
      .min(1, 'must not be empty')
      .optional(),
    simulate: z
      .object({
        controlPort: z
          .number({ error: must('a TCP port number') })
          .int('must be a whole number')
          .min(0, 'must be 0–65535')
          .max(65535, 'must be 0–65535')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = Object.keys(c.services ?? {});
    if (c.services && (names.length < 1 || names.length > MAX_SERVICES))
      ctx.addIssue({
        code: 'custom',
        path: ['services'],
        message: `must name 1–${MAX_SERVICES} critical services`,
      });
    for (const name of names)
      if (name.trim() === '' || name.length > MAX_SERVICE_NAME)
        ctx.addIssue({
          code: 'custom',
          path: ['services', name],
          message: `service names are 1–${MAX_SERVICE_NAME} characters, as in the cluster's criticalServices`,
        });
    if (c.stopTimeSeconds !== undefined && c.stopTimeSeconds >= c.keepAliveTimeoutSeconds)
      ctx.addIssue({
        code: 'custom',
        path: ['stopTimeSeconds'],
        message: `must be less than keepAliveTimeoutSeconds (${c.keepAliveTimeoutSeconds} s): the fence starts the stop that long before the timeout`,
      });
    // A heartbeat waits for its checks: one slower than keepAliveTimeout would get a
    // healthy node failed over (and fenced) by its own agent.
    const checks: [PropertyKey[], Check][] = [
      ...Object.entries(c.services ?? {}).map(([name, check]): [PropertyKey[], Check] => [
        ['services', name],
        check,
      ]),
      ...(c.database ? [[['database'], c.database] as [PropertyKey[], Check]] : []),
    ];
    for (const [path, check] of checks)
      if (check.timeoutSeconds !== undefined && check.timeoutSeconds >= c.keepAliveTimeoutSeconds)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'timeoutSeconds'],
          message: `must be less than keepAliveTimeoutSeconds (${c.keepAliveTimeoutSeconds} s): a heartbeat waits for its checks`,
        });
  });
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** What a real (not simulated) node must configure on top of the schema's required fields. */
const REAL_NODE_FIELDS = [
  ['services', 'one check per critical service'],
  ['database', 'the database check'],
  ['startCommand', 'the command that starts the critical services'],
  ['stopCommand', 'the command that stops the critical services'],
] as const;

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; errors: string[] };

/** `services["Cisco SIP Proxy"].http`, as an operator would point at it in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(the file)';
}

/** Validates parsed JSON: every field error as one `field: problem` line. */
export function parseConfig(raw: unknown, mode: { simulate: boolean }): ConfigResult {
  const parsed = AgentConfigSchema.safeParse(raw);
  const errors: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          errors.push(`${fieldPath([...issue.path, key])}: unknown field (a typo?); see docs/agent.md`);
      } else {
        errors.push(`${fieldPath(issue.path)}: ${issue.message}`);
      }
    }
  }
  if (!mode.simulate && raw !== null && typeof raw === 'object') {
    for (const [field, what] of REAL_NODE_FIELDS)
      if ((raw as Record<string, unknown>)[field] === undefined)
        errors.push(`${field}: is required (${what}) unless the agent runs with --simulate`);
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, config: parsed.data };
}

/** Reads and validates the config file; unreadable files and bad JSON are errors too. */
export function loadConfig(file: string, mode: { simulate: boolean }): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      errors: [code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${String(e)}`],
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not valid JSON: ${(e as Error).message}`] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, errors: ['(the file): must be a JSON object'] };
  return parseConfig(raw, mode);
}

/** A check's timeout: its own, else 5 s or a third of keepAliveTimeout, whichever is shorter. */
export function checkTimeoutSeconds(
  check: Check,
  config: Pick<AgentConfig, 'keepAliveTimeoutSeconds'>,
): number {
  return check.timeoutSeconds ?? Math.min(5, config.keepAliveTimeoutSeconds / 3);
}

/** The API's base URL with no trailing slash or `/v1`, so `${base}/v1/...` is always right. */
export function apiBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

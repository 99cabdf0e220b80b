import Table from 'cli-table3';
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether to colour what goes to `stream`: never with `NO_COLOR` (https://no-color.org)
 * or `--no-color`; with `FORCE_COLOR` even into a pipe; otherwise only on a terminal,
 * so that piped and captured output stays plain text.
 */
export function colourWanted(
  stream: { isTTY?: boolean },
  flag = true,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (!flag || env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * The colour codes this CLI writes itself (picocolors' bold, dim, red, green, yellow and
 * their resets). They are the only escape sequences let through to a terminal.
 */
const OWN_COLOURS = ['\x1b[1m', '\x1b[2m', '\x1b[22m', '\x1b[31m', '\x1b[32m', '\x1b[33m', '\x1b[39m'];

// Every C0 control but the newline, DEL, every C1 control, and the Unicode marks that
// break lines or reorder what is displayed (bidirectional overrides and isolates).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const OWN_COLOUR_OR_UNSAFE = new RegExp(
  `${OWN_COLOURS.map((s) => s.replace(/[[\]]/g, '\\$&')).join('|')}|${UNSAFE.source}`,
  'g',
);

/** A character shown as its code (`\x1b`, `\u202e`), so that the operator sees it was there. */
function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text made safe to print on an operator's terminal. Much of what `prg` shows was
 * reported by a node (service names, hostnames, versions) or typed by another user, and
 * a stolen node token must not be able to move the cursor, rewrite earlier lines, set
 * the window title or the clipboard, or hide text: every control character but the
 * newline is shown as its code instead. With `colours`, this CLI's own colour codes are
 * kept; any other escape sequence is shown as text.
 */
export function terminalSafe(text: string, colours = false): string {
  return text.replace(colours ? OWN_COLOUR_OR_UNSAFE : UNSAFE, (m) => (m.length > 1 ? m : visible(m)));
}

// A table without borders, as `kubectl get` prints one: columns aligned, nothing to strip.
const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

/** Where a command writes its results (stdout) and how: colours, and the `--json` switch. */
export class Output {
  readonly c: Colors;

  constructor(readonly o: { color: boolean; json: boolean }) {
    this.c = pc.createColors(o.color);
  }

  get json(): boolean {
    return this.o.json;
  }

  /**
   * Writes one line (or several) to stdout: the one place every command's results pass,
   * so the one place they are made safe for a terminal (see {@link terminalSafe}).
   * `--json` output is written as is: JSON.stringify already escapes control characters,
   * and a reader parsing it must get exactly what the API sent.
   */
  line(text = ''): void {
    process.stdout.write(`${this.o.json ? text : terminalSafe(text, this.o.color)}\n`);
  }

  /** Clears the terminal and writes `text` from its top-left corner (`status --watch`). */
  redraw(text: string): void {
    process.stdout.write(`\x1b[2J\x1b[H${terminalSafe(text, this.o.color)}\n`);
  }

  /** Writes a value as JSON: the whole of stdout in `--json` mode, so that it parses. */
  printJson(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /**
   * An aligned table with a bold header row; `indent` spaces before every line. Widths
   * ignore colour codes (cli-table3 measures visible width).
   */
  table(head: string[], rows: string[][], indent = 0): string {
    const t = new Table({
      head: head.map((h) => this.c.bold(h)),
      chars: NO_BORDERS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    });
    t.push(...rows);
    const pad = ' '.repeat(indent);
    return t
      .toString()
      .split('\n')
      .map((l) => `${pad}${l.trimEnd()}`)
      .join('\n');
  }

  /** `key  value` lines, keys aligned. */
  pairs(entries: [string, string][], indent = 0): string {
    const width = Math.max(0, ...entries.map(([k]) => k.length));
    const pad = ' '.repeat(indent);
    return entries.map(([k, v]) => `${pad}${this.c.dim(k.padEnd(width))}  ${v}`).join('\n');
  }
}

/** How long ago an ISO time was, as an operator reads it at a glance: `3s ago`, `5m ago`, `never`. */
export function relativeAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  // A clock a little ahead of ours is not "in the future" to an operator.
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** A duration in whole seconds, for progress lines: `4s`, `2m 05s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

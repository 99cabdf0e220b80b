import { duration, terminalSafe } from './output';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows that a wait is alive, on stderr so that stdout keeps only results: a spinner
 * with the latest status on a terminal, otherwise one plain line each time the status
 * changes (logs and CI then read as a timeline).
 */
export class Progress {
  private text = '';
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly stream: {
      isTTY?: boolean;
      columns?: number;
      write(text: string): boolean;
    } = process.stderr,
  ) {}

  get interactive(): boolean {
    return this.stream.isTTY === true;
  }

  /** Sets the status shown; on a terminal the spinner redraws it, elsewhere a changed status is a new line. */
  update(raw: string): void {
    // Statuses carry node ids and error messages: keep the terminal's own controls ours.
    const text = terminalSafe(raw);
    if (!this.interactive) {
      if (text !== this.text) this.stream.write(`[${duration(Date.now() - this.started)}] ${text}\n`);
      this.text = text;
      return;
    }
    this.text = text;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 100);
      // The spinner alone must not keep the process alive.
      this.timer.unref();
    }
    this.draw();
  }

  /** Removes the spinner line, leaving the terminal as it was. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.interactive) this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    const line = `${FRAMES[this.frame]} ${duration(Date.now() - this.started)}  ${this.text}`;
    // A line wider than the terminal wraps, and \r would then redraw only its last part.
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
  }
}

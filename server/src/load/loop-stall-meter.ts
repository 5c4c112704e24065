/**
 * The longest stall of this process's event loop: a timer that should fire every `intervalMs`,
 * and the largest gap beyond that between two firings. Unlike `monitorEventLoopDelay`'s
 * histogram, it also sees a loop that was blocked for the whole sampling window. A stall longer
 * than socket.io's heartbeat window (pingInterval + pingTimeout, 45 s) drops connections.
 */
export class LoopStallMeter {
  private last = performance.now();
  private longest = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 10) {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.longest = Math.max(this.longest, now - this.last - this.intervalMs);
      this.last = now;
    }, intervalMs);
    this.timer.unref();
  }

  /** The longest stall (ms) since the previous call (or the start), including one still going on. */
  take(): number {
    const ongoing = performance.now() - this.last - this.intervalMs;
    const longest = Math.max(this.longest, ongoing, 0);
    this.longest = 0;
    return longest;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// Two disposal scopes (CONVENTIONS.md §5): one for the extension's life, one for each run of the
// language client or the executor. Everything registered goes into exactly one scope; disposing a
// scope disposes its entries in reverse order and awaits the async ones, logging failures.
import type { Logger } from './logger';

export interface AsyncDisposable {
  dispose(): void | Promise<void> | Thenable<void> | unknown;
}

export class Scope {
  private items: AsyncDisposable[] = [];
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly log: Logger,
  ) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Adds an item; when the scope is already disposed it is disposed at once. */
  push<T extends AsyncDisposable>(item: T): T {
    if (this.disposed) {
      void Promise.resolve()
        .then(() => item.dispose())
        .catch((err: unknown) => this.log.warn(`dispose after end of ${this.name} failed`, { err }));
    } else {
      this.items.push(item);
    }
    return item;
  }

  /** Adds a cleanup function. */
  defer(fn: () => void | Promise<void>): void {
    this.push({ dispose: fn });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        await item.dispose();
      } catch (err) {
        this.log.warn(`a ${this.name} resource failed to dispose`, { err });
      }
    }
  }
}

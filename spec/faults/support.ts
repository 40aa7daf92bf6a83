import { Server, Socket } from 'node:net';
import vm from 'node:vm';
import { config } from 'rxjs';

/**
 * Records what must never happen while a fault is injected: an uncaught exception, an unhandled rejection, an
 * `error` event that no listener handles (on any net.Socket or net.Server), and an error RxJS could deliver to
 * nobody. `stop()` returns the list, which a spec asserts empty.
 *
 * Jest runs a spec in a sandbox whose `process` is a copy; `vm.runInThisContext('process')` is the real one,
 * where Node reports uncaught exceptions and unhandled rejections. Jest's own handlers stay in place too.
 */
export type ProcessGuard = { stop(): string[] };

const realProcess = vm.runInThisContext('process') as NodeJS.Process;

export function guardProcess(): ProcessGuard {
  const problems: string[] = [];
  const onUncaught = (error: unknown): void => void problems.push(`uncaught exception: ${describe(error)}`);
  const onRejection = (reason: unknown): void => void problems.push(`unhandled rejection: ${describe(reason)}`);
  realProcess.on('uncaughtException', onUncaught);
  realProcess.on('unhandledRejection', onRejection);

  // The prototypes' own emit methods, patched below and put back after the spec.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emits = [Socket.prototype.emit, Server.prototype.emit] as const;
  const patch = (proto: { emit: (...args: never[]) => boolean }, original: (...args: never[]) => boolean, what: string): void => {
    proto.emit = function (this: Socket | Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && this.listenerCount('error') === 0) problems.push(`unhandled 'error' event on a ${what}: ${describe(args[0])}`);
      return (original as (this: unknown, ...a: unknown[]) => boolean).call(this, event, ...args);
    };
  };
  patch(Socket.prototype, emits[0] as never, 'net.Socket');
  patch(Server.prototype, emits[1] as never, 'net.Server');

  const previous = config.onUnhandledError;
  config.onUnhandledError = (error: unknown) => void problems.push(`error delivered to no subscriber: ${describe(error)}`);

  return {
    stop(): string[] {
      realProcess.off('uncaughtException', onUncaught);
      realProcess.off('unhandledRejection', onRejection);
      Socket.prototype.emit = emits[0];
      Server.prototype.emit = emits[1];
      config.onUnhandledError = previous;
      return problems;
    },
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}${'code' in value ? ` (${String((value as { code?: unknown }).code)})` : ''}`;
  return String(value);
}

/** Resolves once `check` is true, polling every few ms; rejects after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets unhandled rejections and late errors surface (they are reported on later turns of the event loop). */
export async function quiet(ms = 20): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => setImmediate(r));
}

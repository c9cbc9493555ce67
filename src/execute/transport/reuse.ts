import diagnostics from 'node:diagnostics_channel';

/** An exchange that wants to know whether its request went out on a connection that had carried one before. */
export interface ReuseWatcher {
  reused: boolean;
}

let creating: ReuseWatcher | undefined;
const watchers = new WeakMap<object, ReuseWatcher>();
const carried = new WeakMap<object, number>();
let subscribed = false;

function onCreate(message: unknown): void {
  if (creating) watchers.set((message as { request: object }).request, creating);
}

function onSendHeaders(message: unknown): void {
  const { request, socket } = message as { request: object; socket: object };
  const count = (carried.get(socket) ?? 0) + 1;
  carried.set(socket, count);
  const watcher = watchers.get(request);
  if (watcher) watcher.reused = count > 1;
}

/**
 * Runs `dispatch` (which must create its undici request synchronously, as `Dispatcher.dispatch` does) so that
 * `watcher.reused` tells, once the request head is written, whether its HTTP/1.1 connection had carried an earlier
 * request. undici publishes both moments on diagnostics channels; no socket internals are touched.
 */
export function dispatchWatched(watcher: ReuseWatcher, dispatch: () => void): void {
  if (!subscribed) {
    diagnostics.subscribe('undici:request:create', onCreate);
    diagnostics.subscribe('undici:client:sendHeaders', onSendHeaders);
    subscribed = true;
  }
  watcher.reused = false;
  creating = watcher;
  try {
    dispatch();
  } finally {
    creating = undefined;
  }
}

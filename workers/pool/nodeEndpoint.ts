/**
 * comlink Endpoint over a Node MessagePort-like object (worker_threads Worker or parentPort), which deliver
 * `message` events as bare data through `.on` rather than as MessageEvents through addEventListener.
 */
import type { Endpoint } from 'comlink';

interface NodePort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
}

type Listener = EventListenerOrEventListenerObject;

export function nodeEndpoint(port: NodePort): Endpoint {
  const wrapped = new Map<Listener, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer),
    addEventListener: (_type: string, listener: Listener) => {
      const onData = (data: unknown): void => {
        const event = { data } as MessageEvent;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, onData);
      port.on('message', onData);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const onData = wrapped.get(listener);
      if (!onData) return;
      port.off('message', onData);
      wrapped.delete(listener);
    },
  };
}

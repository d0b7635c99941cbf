// Live changes for whoever is watching (the renderer over SSE or IPC). Published only after
// the transaction that caused them has committed, so a listener never sees a change that a
// crash could still take back.
import type { AppEvent } from '../../src-shared/app-api-contract';

export type AppEventListener = (event: AppEvent) => void;

export class AppEventBus {
  private readonly listeners = new Set<AppEventListener>();

  subscribe(listener: AppEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken listener (a closed SSE socket) must not stop the others.
      }
    }
  }
}

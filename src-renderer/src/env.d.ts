import type { AppApiReply, AppEvent } from '../../src-shared/app-api-contract';

declare global {
  interface Window {
    /** Present in the Electron app (exposed by src-preload); absent in a browser (headless mode). */
    rxrelay?: {
      call(method: string, input: unknown): Promise<AppApiReply<unknown>>;
      onEvent(listener: (event: AppEvent) => void): () => void;
    };
  }
}

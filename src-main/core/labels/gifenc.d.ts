// gifenc ships no types; this declares the part of its API the label encoder uses.
declare module 'gifenc' {
  export interface GifFrameOptions {
    palette?: number[][];
    /** Bits per palette index (1–8); the palette is padded to 2^colorDepth entries. */
    colorDepth?: number;
    /** -1 writes no loop extension (a still image), 0 loops forever. */
    repeat?: number;
    delay?: number;
  }
  export interface GifEncoder {
    writeFrame(index: Uint8Array, width: number, height: number, options?: GifFrameOptions): void;
    finish(): void;
    bytes(): Uint8Array;
    bytesView(): Uint8Array;
  }
  export function GIFEncoder(options?: { initialCapacity?: number; auto?: boolean }): GifEncoder;
}

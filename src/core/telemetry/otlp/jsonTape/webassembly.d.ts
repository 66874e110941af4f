/**
 * The part of the WebAssembly JavaScript API the tape scanner uses (Node has it; the project's `lib`
 * has no DOM, which is where TypeScript declares it).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}

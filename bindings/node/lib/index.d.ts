// Type declarations of @vivarium/node (checked by test/types.test.js with tsc --noEmit).
/// <reference types="node" />

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

/**
 * An opaque handle on a function of the instance that returned it (a
 * funcref). It can be passed back to that instance only; it keeps the
 * instance's store alive while JavaScript holds it.
 */
export class FuncRef {
  private constructor();
  private readonly __funcref: never;
}

/**
 * v128 values come out as a 16-byte Uint8Array (memory order: lane 0 first)
 * and go in as 16 bytes (any ArrayBufferView) or a BigInt (the 128-bit
 * integer, little-endian in memory, two's complement when negative).
 */
export type V128Value = Uint8Array;
export type V128Input = ArrayBufferView | bigint;

/**
 * i32, f32, f64: number; i64: bigint; v128: Uint8Array (16 bytes); externref:
 * any JavaScript value (null is the null reference; the instance keeps every
 * value it was given alive until it is disposed or collected); funcref:
 * FuncRef or null.
 */
export type WasmValue = number | bigint | V128Value | FuncRef | null | ExternRefValue;
/** An externref is any JavaScript value, returned as the very value given. */
export type ExternRefValue = object | string | number | bigint | boolean | symbol | undefined | null;
/** What arguments, globals and host function results accept. */
export type WasmInput = WasmValue | V128Input;

export interface FuncType { params: ValType[]; results: ValType[]; }
export interface LimitsType { min: number; max: number | null; }
export interface TableTypeDesc extends LimitsType { element: ValType; }
export interface GlobalTypeDesc { value: ValType; mutable: boolean; }

export type ExternDesc =
  | { kind: 'func'; type: FuncType }
  | { kind: 'memory'; type: LimitsType }
  | { kind: 'table'; type: TableTypeDesc }
  | { kind: 'global'; type: GlobalTypeDesc };
export type ImportDesc = ExternDesc & { module: string; name: string };
export type ExportDesc = ExternDesc & { name: string };

export type Phase = 'malformed' | 'invalid' | 'unlinkable' | 'trap' | 'exhaustion' | 'host';

export interface ErrorLocation {
  file?: string; offset?: number; line?: number; column?: number; section?: string; function?: string;
}

export class VivariumError extends Error {
  /** Which stage failed: decoding, validation, linking, execution, a limit, or the host. */
  readonly phase: Phase;
  /** The engine's error code name, e.g. 'Unreachable', 'OutOfFuel', 'DeadlineExceeded', 'HostTrap', 'Exit'. */
  readonly code: string;
  readonly location: ErrorLocation;
  /** Guest frames, innermost first (traps only). */
  readonly backtrace: string;
  /** The guest's proc_exit code (code === 'Exit'). */
  readonly exitCode?: number;
  readonly detail?: string;
}

export class Module {
  private constructor();
  /** Compiles a binary or text module, or the file at a path, off the main thread. */
  static compile(source: Uint8Array | ArrayBuffer | string | URL, options?: { name?: string }): Promise<Module>;
  readonly imports: ImportDesc[];
  readonly exports: ExportDesc[];
}

/** A checked window on guest memory, valid only during the host call or withMemory callback that gave it. */
export class MemoryView {
  private constructor();
  readonly byteLength: number;
  readonly valid: boolean;
  read(addr: number, length: number): Buffer;
  write(addr: number, bytes: Uint8Array): void;
  readString(addr: number, length: number): string;
  writeString(addr: number, s: string): number;
  getUint32(addr: number): number;
  setUint32(addr: number, v: number): void;
  getInt32(addr: number): number;
  getBigInt64(addr: number): bigint;
  setBigInt64(addr: number, v: bigint): void;
  getFloat64(addr: number): number;
  setFloat64(addr: number, v: number): void;
  /** withMemory views only: grows the memory, returns the previous size in pages. */
  grow(pages: number): number;
}

export interface Caller { memory: MemoryView; }
export type HostResult = WasmInput | WasmInput[] | void;
export type HostFunction = (...args: any[]) => HostResult | Promise<HostResult>;

export interface Limits {
  maxMemoryPages?: number;
  maxMemoryBytes?: number;
  maxTableElements?: number;
  maxInstances?: number;
  maxCallDepth?: number;
  maxStackBytes?: number;
  maxTotalBytes?: number;
  /** Default fuel per call (0 = unmetered). */
  fuel?: number | bigint;
  /** Default time limit per call, in milliseconds. */
  timeout?: number;
}

export type StdioTarget = 'inherit' | 'ignore' | number | ((chunk: Buffer) => void) | NodeJS.WritableStream;

export interface WasiOptions {
  args?: string[];
  env?: Record<string, string> | string[];
  /** { guestPath: hostPath } or a list with read-only flags. */
  preopens?: Record<string, string> | { guest: string; host: string; readOnly?: boolean }[];
  /**
   * A descriptor; the bytes the guest reads (string or Uint8Array); or a
   * Readable stream or async iterable of chunks, fed to the guest through a
   * pipe as it reads (end of the stream = end of file for the guest).
   */
  stdin?: 'inherit' | 'ignore' | number | string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>;
  stdout?: StdioTarget;
  stderr?: StdioTarget;
  /** The network capability, as `vivarium run --allow-connect/--allow-bind/--allow-dns/--socket-abi`. None: no network. */
  sockets?: SocketGrants;
}

export interface SocketGrants {
  /** HOST|CIDR[:PORTS], "udp:" prefix for UDP. */
  connect?: string[];
  /** ADDR|CIDR[:PORTS]. */
  bind?: string[];
  /** NAME or *.SUFFIX the guest may resolve. */
  dns?: string[];
  abi?: 'seed' | 'wamr' | 'wasmedge';
}

export interface InstantiateOptions {
  limits?: Limits;
  wasi?: WasiOptions;
  /**
   * How long (µs, 0 to 1000; default 100) a call may run on the JavaScript
   * thread before a worker takes it over where it stopped. Short calls then
   * cost no thread hop. 0: every call runs on a worker. Instances with WASI
   * always run on workers. Guest code never takes more than 1 ms of any
   * 4 ms on the main thread, and one call stays there at most 1 ms (host
   * functions included), whatever this says.
   */
  mainThreadSliceMicros?: number;
}
export interface CallOptions { signal?: AbortSignal; timeout?: number; fuel?: number | bigint; }

export class Linker {
  constructor();
  define(module: string, name: string, type: Partial<FuncType>, fn: HostFunction, options?: { caller?: boolean }): this;
  func(module: string, name: string, type: Partial<FuncType>, fn: HostFunction, options?: { caller?: boolean }): this;
  instantiate(module: Module, options?: InstantiateOptions): Promise<Instance>;
}

export class Instance {
  private constructor();
  readonly module: Module;
  readonly exports: ExportDesc[];
  /** Calls queue per instance: one runs at a time, in order. */
  call(name: string, ...args: WasmInput[]): Promise<any>;
  invoke(name: string, args?: WasmInput[], options?: CallOptions): Promise<any>;
  /** Runs a WASI command's _start; resolves to its exit code. */
  start(options?: CallOptions): Promise<number>;
  withMemory<T>(fn: (view: MemoryView) => T | Promise<T>, options?: { name?: string }): Promise<T>;
  global(name: string): Promise<WasmValue>;
  /** Writes an exported mutable global between calls (queued like a call). */
  setGlobal(name: string, value: WasmInput): Promise<void>;
  readonly fuelRemaining: bigint;
  dispose(): void;
}

export interface HandleOptions {
  /** Wall time in ms (504 past it). */
  timeout?: number;
  fuel?: number;
  maxMemoryBytes?: number;
  /** Outbound grants as `vivarium serve` manifests write them. */
  egress?: string[];
  /** The guest's debug() lines and panics. */
  log?: (line: string) => void;
  clientIp?: string;
}

/** Runs a Terrarium-ABI guest (what `vivarium serve` hosts) on a request. */
export function handle(module: Module, request: Request, options?: HandleOptions):
  Promise<Response & { readonly vivarium: { kind: string; message: string } }>;

export const poolSize: number;

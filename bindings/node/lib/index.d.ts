// Type declarations of @vivarium/node (checked by test/types.test.js with tsc --noEmit).
/// <reference types="node" />

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'funcref' | 'externref';
/** i64 values are BigInt; i32, f32 and f64 are numbers; references cross only as null. */
export type WasmValue = number | bigint | null;

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
export type HostResult = WasmValue | WasmValue[] | void;
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
  /** A descriptor, or the bytes the guest reads (string or Uint8Array). */
  stdin?: 'inherit' | 'ignore' | number | string | Uint8Array;
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

export interface InstantiateOptions { limits?: Limits; wasi?: WasiOptions; }
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
  call(name: string, ...args: WasmValue[]): Promise<any>;
  invoke(name: string, args?: WasmValue[], options?: CallOptions): Promise<any>;
  /** Runs a WASI command's _start; resolves to its exit code. */
  start(options?: CallOptions): Promise<number>;
  withMemory<T>(fn: (view: MemoryView) => T | Promise<T>, options?: { name?: string }): Promise<T>;
  global(name: string): Promise<WasmValue>;
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

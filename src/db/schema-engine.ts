// Prisma's WebAssembly schema engine (the engine behind `prisma migrate`), loaded without the
// native binary that this environment cannot download. See DESIGN.md, "Migrations without
// Prisma's native engines".
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type {
  ApplyMigrationsInput,
  ApplyMigrationsOutput,
  DiagnoseMigrationHistoryInput,
  DiagnoseMigrationHistoryOutput,
  DiffParams,
  DiffResult,
  SchemaEngine as WasmEngine,
} from '@prisma/schema-engine-wasm/schema_engine_bg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

/** An expected failure of the engine (bad SQL, unreachable database, failed migration…): its message is for humans. */
export class SchemaEngineError extends Error {
  override name = 'SchemaEngineError';
  constructor(
    message: string,
    /** Prisma's error code (e.g. `P3009`) when the engine gave one. */
    readonly code?: string,
    /** The migration being applied when the error happened, read from the engine's span trace. */
    readonly migrationName?: string,
  ) {
    super(message);
  }
}

/** The exports wasm-bindgen's glue expects to find on the instance; only these are called directly. */
interface EngineWasmExports {
  __wbindgen_start(): void;
}

let loading: Promise<void> | undefined;

/**
 * Instantiates `schema_engine_bg.wasm` once per process. The package's entry point does
 * `import * as wasm from "./schema_engine_bg.wasm"` (ES module integration for wasm), which Node 20
 * cannot load, so we do by hand what that entry point does: instantiate the module against the
 * glue module `schema_engine_bg.js` (its only import namespace) and hand the exports back to it.
 */
export function loadSchemaEngineWasm(): Promise<void> {
  loading ??= (async () => {
    // Resolved through the package's `exports` rather than a hard-coded node_modules path, so
    // hoisting or a different working directory does not matter.
    const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': withEngineTimers(bindings as unknown as WebAssembly.ModuleImports),
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as unknown as EngineWasmExports).__wbindgen_start();
  })();
  // A failed load must not poison later attempts with the same rejected promise.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/*
 * The engine's timers. Rust-side timeouts (e.g. the 10 s limit on taking the migrations advisory
 * lock) become JS `setTimeout`s that the engine never clears: the wasm imports no clearTimeout.
 * Left alone, each one keeps Node alive until it fires, so a CLI would sit idle for 10 s after
 * finishing. A timer only matters while an engine call is being awaited, so timers are kept
 * referenced during calls and unref'd once no call is in flight.
 */
const pendingTimers = new Set<NodeJS.Timeout>();
let callsInFlight = 0;

function withEngineTimers(imports: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const patched: WebAssembly.ModuleImports = { ...imports };
  for (const [name, fn] of Object.entries(imports)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof fn !== 'function') continue;
    patched[name] = (callback: () => void, ms: number): NodeJS.Timeout => {
      const timer: NodeJS.Timeout = setTimeout(() => {
        pendingTimers.delete(timer);
        callback();
      }, ms >>> 0);
      pendingTimers.add(timer);
      if (callsInFlight === 0) timer.unref();
      return timer;
    };
  }
  return patched;
}

async function trackCall<T>(fn: () => Promise<T>): Promise<T> {
  callsInFlight++;
  try {
    return await fn();
  } finally {
    if (--callsInFlight === 0) for (const timer of pendingTimers) timer.unref();
  }
}

/** Version (git hash) of the loaded engine, handy in diagnostics. */
export async function schemaEngineVersion(): Promise<string> {
  await loadSchemaEngineWasm();
  return bindings.version();
}

/** One line of the engine's tracing output, which it hands to the constructor's callback as JSON. */
interface EngineLogLine {
  level?: string;
  fields?: { message?: string };
}

export interface OpenSchemaEngineOptions {
  /** Receives the engine's warnings and errors (its INFO/DEBUG chatter is dropped). */
  log?: (msg: string) => void;
}

/**
 * A schema engine bound to one driver adapter factory. The factory's `connect()` is the "main"
 * database (applyMigrations, diagnoseMigrationHistory act on it); `connectToShadowDb()` is used
 * by operations that replay migrations, such as a diff from a migrations directory.
 */
export class SchemaEngineSession {
  private closed = false;

  private constructor(
    private readonly engine: WasmEngine,
    private readonly adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  ) {}

  static async open(factory: SqlMigrationAwareDriverAdapterFactory, opts: OpenSchemaEngineOptions = {}): Promise<SchemaEngineSession> {
    await loadSchemaEngineWasm();
    // The engine only talks to adapters through the error-capturing wrapper: every call returns a
    // Result, and a thrown JS error is parked in `errorRegistry` under an id the engine reports.
    const adapter = bindMigrationAwareSqlAdapterFactory(factory);
    const onLog = (line: string): void => {
      if (!opts.log) return;
      let parsed: EngineLogLine;
      try {
        parsed = JSON.parse(line) as EngineLogLine;
      } catch {
        return;
      }
      if ((parsed.level === 'WARN' || parsed.level === 'ERROR') && parsed.fields?.message) {
        opts.log(`schema engine ${parsed.level.toLowerCase()}: ${parsed.fields.message}`);
      }
    };
    // `datamodels` is only a default for commands that take no schema; every call here passes its own.
    const engine = await translateErrors(adapter, () => bindings.SchemaEngine.new({ datamodels: undefined }, onLog, adapter));
    return new SchemaEngineSession(engine, adapter);
  }

  diff(params: DiffParams): Promise<DiffResult> {
    return this.call(() => this.engine.diff(params));
  }

  applyMigrations(input: ApplyMigrationsInput): Promise<ApplyMigrationsOutput> {
    return this.call(() => this.engine.applyMigrations(input));
  }

  diagnoseMigrationHistory(input: DiagnoseMigrationHistoryInput): Promise<DiagnoseMigrationHistoryOutput> {
    return this.call(() => this.engine.diagnoseMigrationHistory(input));
  }

  /** Frees the wasm-side engine. It does not close the connections of the factory: their owner does. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.free();
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('schema engine session is closed'));
    return translateErrors(this.adapter, fn);
  }
}

/** Shape of the errors the wasm engine rejects with (`Error` plus the fields the engine sets). */
interface EngineErrorLike {
  message: string;
  code?: unknown;
  meta?: unknown;
}

/**
 * Turns an engine rejection into a SchemaEngineError with a readable message: errors raised by the
 * driver adapter reach us only as "External error id#N", so the original error is looked up in the
 * adapter's registry, and the Rust span trace the engine appends ("   0: schema_engine_wasm::…")
 * is dropped because it says nothing to the person running a migration.
 */
async function translateErrors<T>(adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory, fn: () => Promise<T>): Promise<T> {
  try {
    return await trackCall(fn);
  } catch (raw) {
    if (!(raw instanceof Error)) throw raw;
    const err = raw as Error & EngineErrorLike;
    const message = err.message
      .replace(/External error id#(\d+)/g, (whole, id: string) => {
        const original = adapter.errorRegistry.consumeError(Number(id))?.error;
        return original === undefined ? whole : describeAdapterError(original);
      })
      .replace(/\n\s+\d+: [a-z_]+::[\s\S]*$/, '')
      .trim();
    const code = typeof err.code === 'string' ? err.code : undefined;
    const migrationName = /migration_name="([^"]+)"/.exec(err.message)?.[1];
    throw new SchemaEngineError(message, code, migrationName);
  }
}

/** Driver errors come either as plain Errors or as Prisma's mapped `{ kind, ... }` records. */
function describeAdapterError(error: unknown): string {
  if (error instanceof Error) {
    // AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) has an empty message.
    if (error.message) return error.message;
    if (error instanceof AggregateError) return error.errors.map(describeAdapterError).join('; ');
    return error.name;
  }
  if (typeof error === 'object' && error !== null) {
    const record = error as { kind?: unknown; message?: unknown; originalMessage?: unknown; cause?: unknown };
    if (typeof record.originalMessage === 'string') return record.originalMessage;
    if (typeof record.message === 'string') return record.message;
    return JSON.stringify(error);
  }
  return String(error);
}

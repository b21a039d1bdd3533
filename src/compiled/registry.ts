// The compiled plans of the persisted documents, derived once at start-up. A document is found by
// its printed form, so the same text sent by persisted id or in full runs the same plan; one the
// compiler does not support is listed with the reason and runs on the reference executor.
import { parse, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DATA_MODEL } from '../../prisma/generated/data-model.js';
import { deriveTypes } from './derive.js';
import { deriveRoots } from './derive-roots.js';
import { checkMapping, CUSTOM_FIELDS, type RootField, type TypeMapping } from './mapping.js';
import { CompiledPlan } from './plan.js';
import { Unsupported } from './selection.js';

export interface PlanReport {
  compiled: string[];
  /** Operation (or hash) → why it runs on the reference executor. */
  fallback: Record<string, string>;
  /** `Type.field` → why the compiler does not know it (an operation selecting it falls back). */
  unknownFields: Record<string, string>;
}

export class PlanRegistry {
  private readonly byPrinted = new Map<string, CompiledPlan>();
  /** Yoga's parse cache hands out one DocumentNode per text: print each once. */
  private readonly byDocument = new WeakMap<DocumentNode, CompiledPlan | null>();
  readonly report: PlanReport = { compiled: [], fallback: {}, unknownFields: {} };
  /** The compiler's table of types, derived from the schema (derive.ts). */
  readonly types: Readonly<Record<string, TypeMapping>>;
  /** The root fields it answers, derived from their resolvers (derive-roots.ts). */
  readonly roots: Readonly<Record<string, RootField>>;

  constructor(schema: GraphQLSchema, documents: Iterable<string>) {
    const derived = deriveTypes(schema, DATA_MODEL, CUSTOM_FIELDS);
    const roots = deriveRoots(schema, DATA_MODEL);
    this.types = derived.types;
    this.roots = roots.roots;
    this.report.unknownFields = { ...roots.skipped, ...derived.skipped };
    const problems = checkMapping(schema, derived.types);
    for (const source of documents) {
      let name: string;
      try {
        const document = parse(source);
        name = document.definitions.map((d) => ('name' in d && d.name ? d.name.value : '?')).join('+');
        if (problems.length > 0) {
          this.report.fallback[name] = `the compiler's mapping no longer matches the schema: ${problems.join('; ')}`;
          continue;
        }
        const plan = CompiledPlan.compile(schema, this.types, this.roots, source);
        this.byPrinted.set(print(document), plan);
        this.report.compiled.push(name);
      } catch (error) {
        if (!(error instanceof Unsupported)) throw error;
        name ??= '?';
        this.report.fallback[name] = error.message;
      }
    }
  }

  /** The plan for this document, or null when the reference executor must run it. */
  planFor(document: DocumentNode): CompiledPlan | null {
    let plan = this.byDocument.get(document);
    if (plan === undefined) {
      plan = this.byPrinted.get(print(document)) ?? null;
      this.byDocument.set(document, plan);
    }
    return plan;
  }

  /** Every compiled plan (tests EXPLAIN their statements). */
  plans(): CompiledPlan[] {
    return [...this.byPrinted.values()];
  }
}

// Static query cost and connection page sizes, checked once the document is valid and before the
// context is built (so before the API-key lookup and any resolver). Both depend on the variables,
// which is why they are not validation rules: Yoga caches validation verdicts by document.
// The cost goes back in `extensions.cost` when the request sends `x-cadence-cost: 1`.
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { appError } from '../errors.js';
import { measureOperation, variablesWithDefaults, type Measure } from '../policy/cost.js';
import { LIMITS } from '../policy/limits.js';
import { findConnectionArgError } from './use-connection-args.js';

export interface QueryCostOptions {
  /** Highest static cost accepted. @default 1000 */
  maxCost?: number;
  /** Largest `first`/`last` on a connection. @default 100 */
  maxPageSize?: number;
}

/** What `extensions.cost` holds. */
export interface CostExtension {
  requested: number;
  limit: number;
  depth: number;
  breadth: number;
}

interface YogaInitialContext {
  request?: Request;
  params?: { operationName?: string | null; variables?: unknown; extensions?: Record<string, unknown> };
}

const MAX_VERDICTS_PER_DOCUMENT = 256;
const MAX_VERDICT_KEY_LENGTH = 1_024;

export function useQueryCost(options: QueryCostOptions = {}): Plugin {
  const maxCost = options.maxCost ?? LIMITS.cost;
  const maxPageSize = options.maxPageSize ?? LIMITS.pageSize;
  const measures = new WeakMap<object, Measure>();
  // Keyed by the parsed document (Yoga's parse cache hands out one object per text), then by
  // operation name and variables.
  const verdicts = new WeakMap<DocumentNode, Map<string, Measure>>();

  return {
    onValidate({ params: { schema, documentAST }, context }) {
      return ({ valid }) => {
        if (!valid) return;
        const { params } = context as YogaInitialContext;
        const provided = isRecord(params?.variables) ? params.variables : {};
        // The verdict is a function of the document, the operation and the variables: the frontend
        // sends the same few combinations over and over, so accepted ones are remembered.
        let accepted = verdicts.get(documentAST);
        if (!accepted) verdicts.set(documentAST, (accepted = new Map()));
        const key = JSON.stringify([params?.operationName ?? null, provided]);
        // Long keys are texts sent as variables (answers, resumes): not worth keeping, and a
        // client could otherwise fill memory with them.
        const remember = key.length <= MAX_VERDICT_KEY_LENGTH;
        const known = remember ? accepted.get(key) : undefined;
        if (known) {
          measures.set(context, known);
          return;
        }
        const variables = variablesWithDefaults(schema, documentAST, params?.operationName, provided);
        // Thrown rather than set as the validation result: Yoga's validation cache stores results
        // by document, and these verdicts depend on the variables.
        const pageError = findConnectionArgError(schema, documentAST, variables, maxPageSize);
        if (pageError) throw pageError;
        const measure = measureOperation(schema, documentAST, { operationName: params?.operationName, variables });
        if (!measure) return;
        if (measure.cost > maxCost) {
          throw appError('COST_LIMIT_EXCEEDED', `Query cost ${measure.cost} exceeds the limit of ${maxCost}: ask for smaller pages.`, {
            extensions: { cost: costExtension(measure, maxCost) },
          });
        }
        if (remember) {
          if (accepted.size >= MAX_VERDICTS_PER_DOCUMENT) accepted.clear(); // variables come from clients: bounded
          accepted.set(key, measure);
        }
        measures.set(context, measure);
      };
    },
    onExecute({ args }) {
      const context = args.contextValue as YogaInitialContext;
      const measure = measures.get(args.contextValue);
      if (!measure || context.request?.headers.get('x-cadence-cost') !== '1') return undefined;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isSingleResult(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, cost: costExtension(measure, maxCost) } });
        },
      };
    },
  };
}

function costExtension(measure: Measure, limit: number): CostExtension {
  return { requested: measure.cost, limit, depth: measure.depth, breadth: measure.breadth };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

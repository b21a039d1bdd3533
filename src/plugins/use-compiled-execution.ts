// Compiled execution (issue 9): a persisted query the compiler supports runs as the one SQL
// statement of its plan (src/compiled/), and PostgreSQL's JSON text becomes the response body
// without being parsed in Node. Everything else, and any request a plan declines (no viewer,
// variables graphql-js would reject, a page or cursor it does not cover), runs on graphql-js +
// Pothos, the reference executor. Registered after useGraphqlJsExecute so its execute function
// wins; the tracing, cost, metrics and response-cache hooks wrap it like any execution.
import { execute, getOperationAST, Kind, locatedError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { StatementRow } from '../compiled/plan.js';
import type { PlanRegistry } from '../compiled/registry.js';
import type { Context } from '../context.js';
import { runStatement } from '../compiled/run.js';

export interface CompiledExecutionOptions {
  registry: PlanRegistry;
  log: Logger;
}

export function useCompiledExecution({ registry, log }: CompiledExecutionOptions): Plugin<Context> {
  const { compiled, fallback, unknownFields } = registry.report;
  log.info(
    // unknownFields: what the compiler could not derive from the schema (an operation selecting one falls back).
    { compiled, fallback, ...(Object.keys(unknownFields).length ? { unknownFields } : {}) },
    `compiled execution: ${compiled.length} operation(s) compiled, ${Object.keys(fallback).length} on graphql-js`,
  );

  const executeCompiled = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const plan = registry.planFor(args.document);
    const context = args.contextValue as Context;
    const bound =
      plan && (args.operationName == null || args.operationName === plan.operationName)
        ? plan.bind(args.variableValues, context.viewer?.userId ?? null)
        : null;
    if (!bound) return execute(args);
    const started = performance.now();
    let row: StatementRow | undefined;
    try {
      row = await runStatement(bound.sql, bound.params);
    } catch (error) {
      // As graphql-js reports a failed root resolver: the field null (or data null when it is
      // non-null), one located error, which the mask turns into its coded client error.
      const field = getOperationAST(args.document, args.operationName)?.selectionSet.selections[0];
      const node = field?.kind === Kind.FIELD ? field : undefined;
      const path = node ? [(node.alias ?? node.name).value] : undefined;
      return { errors: [locatedError(error, node, path)], data: plan!.dataOnError() };
    }
    // A root object that is not there (missing, or not the viewer's): the reference's NOT_FOUND.
    if (!row?.complete) return execute(args);
    context.perf.addResolver({ path: plan!.rootKeys[0]!, durationMs: performance.now() - started });
    return textResult(row.data);
  };

  return {
    onExecute({ args, setExecuteFn }) {
      if (registry.planFor(args.document)) setExecuteFn(executeCompiled);
    },
  };
}

/**
 * A result whose body is PostgreSQL's text: Yoga writes `stringify()`'s answer as is. `data` is
 * parsed only if a hook reads it (the cost or trace extensions, the response cache), so those
 * keep working unchanged.
 */
function textResult(text: string): ExecutionResult {
  const body = `{"data":${text}}`;
  let data: ExecutionResult['data'];
  const result = {};
  Object.defineProperty(result, 'data', { enumerable: true, get: () => (data ??= JSON.parse(text) as ExecutionResult['data']) });
  Object.defineProperty(result, 'stringify', { enumerable: false, value: () => body });
  return result as ExecutionResult;
}

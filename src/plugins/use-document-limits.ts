// Limits on the shape of a document, all checked before execution (so before the API-key lookup):
// characters before parsing, tokens while parsing, then depth, aliases, directives, breadth and
// root fields per mutation as validation rules; introspection and field suggestions by config.
// These rules depend on the document alone, so Yoga's validation cache keeps their verdicts.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { NoSchemaIntrospectionCustomRule, parse, type GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { appError, badInput } from '../errors.js';
import { measureOperation } from '../policy/cost.js';
import { LIMITS } from '../policy/limits.js';

export interface DocumentLimitsOptions {
  /** Characters of the document text. @default 10000 */
  characters?: number;
  /** Lexer tokens. @default 2000 */
  tokens?: number;
  /** Depth, leaves included, fragments flattened. @default 8 */
  depth?: number;
  /** Aliases once fragments are expanded. @default 15 */
  aliases?: number;
  /** Directives once fragments are expanded. @default 10 */
  directives?: number;
  /** Field selections once fragments are expanded. @default 200 */
  breadth?: number;
  /** Root fields of a mutation operation. @default 3 */
  mutationRootFields?: number;
  /** Answer `__schema`/`__type`. @default true */
  introspection?: boolean;
  /** Keep graphql-js' "Did you mean …?" hints in validation errors. @default true */
  suggestions?: boolean;
}

export type LimitName = 'characters' | 'tokens' | 'depth' | 'aliases' | 'directives' | 'breadth' | 'mutationRootFields';

/** A rejected document: GRAPHQL_VALIDATION_FAILED (or _PARSE_FAILED before parsing) naming the limit. */
export function limitError(
  name: LimitName,
  max: number,
  message: string,
  code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' = 'GRAPHQL_VALIDATION_FAILED',
): GraphQLError {
  return appError(code, message, { extensions: { limit: { name, max } } });
}

export function useDocumentLimits(options: DocumentLimitsOptions = {}): Plugin {
  const max = {
    characters: options.characters ?? LIMITS.documentCharacters,
    tokens: options.tokens ?? LIMITS.tokens,
    depth: options.depth ?? LIMITS.depth,
    aliases: options.aliases ?? LIMITS.aliases,
    directives: options.directives ?? LIMITS.directives,
    breadth: options.breadth ?? LIMITS.breadth,
    mutationRootFields: options.mutationRootFields ?? LIMITS.mutationRootFields,
  };
  // graphql-armor's rules throw by default, which Yoga answers without a code; reporting instead
  // keeps the error a normal validation error that carries our code and limit.
  const reportAs = (name: LimitName) => ({
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(limitError(name, max[name], error.message.replace(/^Syntax Error: /, ''))),
    ],
  });
  const rules: ValidationRule[] = [
    maxDepthRule({ n: max.depth, flattenFragments: true, ...reportAs('depth') }),
    maxAliasesRule({ n: max.aliases, ...reportAs('aliases') }),
    maxDirectivesRule({ n: max.directives, ...reportAs('directives') }),
    shapeRule(max.breadth, max.mutationRootFields),
  ];
  if (options.introspection === false) rules.push(NoSchemaIntrospectionCustomRule);
  const hideSuggestions = options.suggestions === false;

  return {
    onParams({ params }) {
      // Before anything recursive (cost verdict keys, the response-cache key, idempotency hashes,
      // graphql-js coercion) touches the variables: a 20,000-deep array overflowed the stack.
      const shape = variablesShapeError(params.variables);
      if (shape) throw badInput(shape, 'variables');
      if (typeof params.query === 'string' && params.query.length > max.characters) {
        throw limitError(
          'characters',
          max.characters,
          `Document of ${params.query.length} characters exceeds the limit of ${max.characters}.`,
          'GRAPHQL_PARSE_FAILED',
        );
      }
    },
    onParse({ setParseFn }) {
      // graphql-js stops lexing at the first token past the limit, so a huge document costs no more
      // than a document at the limit.
      setParseFn((source, parseOptions) => parse(source, { ...parseOptions, maxTokens: max.tokens }));
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
      if (!hideSuggestions) return undefined;
      return ({ valid, result }) => {
        // graphql-js 16 has no switch for its hints (`Did you mean "x"?`, `Did you mean the enum
        // value "Y"?`), and they reveal the schema when introspection is off. graphql-armor's
        // block-field-suggestions misses the enum form, hence this one line instead.
        if (!valid) for (const error of result) error.message = error.message.replace(SUGGESTION, '').trim();
      };
    },
  };
}

const SUGGESTION = / ?Did you mean [^?]*\?/g;

/** Why the variables are too deep or too large to be looked at, walking them without recursion. */
export function variablesShapeError(variables: unknown): string | undefined {
  if (variables === undefined || variables === null) return undefined;
  const stack: [unknown, number][] = [[variables, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    values += 1;
    if (values > LIMITS.variableValues) return `Variables hold more than ${LIMITS.variableValues} values`;
    if (value === null || typeof value !== 'object') continue;
    if (depth > LIMITS.variableDepth) return `Variables are nested deeper than ${LIMITS.variableDepth} levels`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Breadth of the whole operation and root fields of a mutation, fragments expanded. */
function shapeRule(maxBreadth: number, maxMutationRootFields: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const operationName = node.name?.value;
      // An anonymous operation among several is reported by LoneAnonymousOperation; skip it here.
      const measure = measureOperation(context.getSchema(), context.getDocument(), { operationName });
      if (!measure) return;
      if (measure.breadth > maxBreadth) {
        context.reportError(
          limitError('breadth', maxBreadth, `Field selections limit of ${maxBreadth} exceeded, found ${measure.breadth}.`),
        );
      }
      if (measure.operationType === 'mutation' && measure.rootFields > maxMutationRootFields) {
        context.reportError(
          limitError(
            'mutationRootFields',
            maxMutationRootFields,
            `A mutation may have at most ${maxMutationRootFields} root fields, found ${measure.rootFields}.`,
          ),
        );
      }
    },
  });
}

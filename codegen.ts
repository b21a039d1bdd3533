// The one pipeline from the code-first schema to the files the frontend contract is made of
// (run it with `npm run codegen`; `npm run codegen -- --check` fails when any output is stale):
// - schema/schema.graphql: the SDL, types and fields sorted so that diffs show real changes;
// - schema/generated/: typed documents for schema/operations/*.graphql (client preset), used by the
//   tests, the gates, the benchmarks and the load test;
// - schema/generated/persisted-documents.json: SHA-256 of each document → the document, served by
//   the persisted-operations plugin (src/plugins/use-persisted-operations.ts).
import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

const config: CodegenConfig = {
  // The SDL text rather than a file or module pointer: the schema is built by our own code, in this
  // process, so nothing has to be loaded twice or through another module loader.
  schema: printSchema(lexicographicSortSchema(schema)),
  documents: ['schema/operations/*.graphql'],
  // ESM (NodeNext) needs explicit `.js` extensions in the generated imports.
  emitLegacyCommonJSImports: false,
  silent: true,
  errorsOnly: true,
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: false, commentDescriptions: false },
    },
    'schema/generated/': {
      preset: 'client',
      presetConfig: {
        // The documents are .graphql files, not graphql() calls in code: no masking helpers needed.
        fragmentMasking: false,
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        // DateTime travels as an ISO-8601 string (src/builder.ts).
        scalars: { DateTime: 'string' },
        skipTypename: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;

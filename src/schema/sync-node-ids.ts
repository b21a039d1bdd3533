// Node ids resolved synchronously. Pothos' relay plugin resolves every `id` of a Node type through
// an async function, so every node object in a response (a sessions page has some 340) completes
// through a promise: the executor's promiseForObject, microtasks, and AsyncLocalStorage's promise
// hooks on each. The id is a pure function of the row, so it is computed in place instead.
import { isInterfaceType, type GraphQLSchema } from 'graphql';
import { encodeGlobalId } from './ids.js';

export function withSyncNodeIds(schema: GraphQLSchema): GraphQLSchema {
  const node = schema.getType('Node');
  if (!isInterfaceType(node)) return schema;
  for (const type of schema.getPossibleTypes(node)) {
    const field = type.getFields().id;
    if (!field) continue;
    const typename = type.name;
    // Every Node type here is a prismaNode keyed by its `id` column (see src/schema/*.ts).
    field.resolve = (row: { id: string }) => encodeGlobalId(typename, row.id);
  }
  return schema;
}

// A persisted document reduced to what the compiler handles: one query operation whose fields are
// plain (no fragments, directives or __typename), each response key once. Anything else is
// `Unsupported`, with the reason the start-up log gives.
import { Kind, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface SelectedField {
  /** The response key (alias or name). */
  key: string;
  name: string;
  node: FieldNode;
  children: SelectedField[];
}

export class Unsupported extends Error {}

export function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || document.definitions.length !== 1)
    throw new Unsupported('not exactly one operation (fragments are not compiled)');
  const [operation] = operations as [OperationDefinitionNode];
  if (operation.operation !== 'query') throw new Unsupported(`a ${operation.operation}`);
  if (operation.directives?.length) throw new Unsupported('directives on the operation');
  for (const variable of operation.variableDefinitions ?? []) {
    if (variable.directives?.length) throw new Unsupported('directives on a variable');
  }
  return operation;
}

export function selectedFields(set: SelectionSetNode | undefined): SelectedField[] {
  if (!set) return [];
  const seen = new Set<string>();
  return set.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD) throw new Unsupported('fragments');
    if (selection.directives?.length) throw new Unsupported(`directives on ${selection.name.value}`);
    if (selection.name.value.startsWith('__')) throw new Unsupported(selection.name.value);
    const key = selection.alias?.value ?? selection.name.value;
    // graphql-js merges repeated keys; the compiler does not.
    if (seen.has(key)) throw new Unsupported(`the response key ${key} twice`);
    seen.add(key);
    return { key, name: selection.name.value, node: selection, children: selectedFields(selection.selectionSet) };
  });
}

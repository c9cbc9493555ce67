import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { JsonSchema } from './openapi-types.ts';

/** What a root field returns: one object, a list of objects, or a connection (`edges { node }` / `nodes`). */
export interface FieldShape {
  shape: 'one' | 'list' | 'connection';
  /** The object type (for an interface, undefined: see `iface`). */
  type: GraphQLObjectType | undefined;
  iface: GraphQLNamedType | undefined;
  /** Where the items are, below `data.<field>`: `''` (a list), `nodes`, `edges`. */
  itemsAt: string;
}

export function shapeOf(type: GraphQLOutputType): FieldShape | undefined {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = getNamedType(nullable);
    return isObjectType(item) ? { shape: 'list', type: item, iface: undefined, itemsAt: '' } : undefined;
  }
  if (isInterfaceType(nullable)) return { shape: 'one', type: undefined, iface: nullable, itemsAt: '' };
  if (!isObjectType(nullable)) return undefined;
  const fields = nullable.getFields();
  const nodes = fields['nodes'] && isListType(getNullableType(fields['nodes'].type)) ? getNamedType(fields['nodes'].type) : undefined;
  if (nodes && isObjectType(nodes)) return { shape: 'connection', type: nodes, iface: undefined, itemsAt: 'nodes' };
  const edges = fields['edges'] && isListType(getNullableType(fields['edges'].type)) ? getNamedType(fields['edges'].type) : undefined;
  const node = edges && isObjectType(edges) ? edges.getFields()['node'] : undefined;
  if (node && isObjectType(getNamedType(node.type))) return { shape: 'connection', type: getNamedType(node.type) as GraphQLObjectType, iface: undefined, itemsAt: 'edges' };
  return { shape: 'one', type: nullable, iface: undefined, itemsAt: '' };
}

/** The object a mutation works on: its return type, or the one object field of its payload (`{ project: Project }`). */
export function mutationTarget(field: GraphQLField<unknown, unknown>): { type: GraphQLObjectType; via: string | undefined } | undefined {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return undefined;
  if (named.getFields()['id']) return { type: named, via: undefined };
  const inner = Object.values(named.getFields()).find((f) => isObjectType(getNamedType(f.type)) && (getNamedType(f.type) as GraphQLObjectType).getFields()['id']);
  return inner ? { type: getNamedType(inner.type) as GraphQLObjectType, via: inner.name } : undefined;
}

/** The scalar (and enum) fields of an object, for a selection set that shows canaries: `id name description`. */
export function scalarSelection(type: GraphQLObjectType): string {
  const names = Object.values(type.getFields())
    .filter((f) => (isScalarType(getNamedType(f.type)) || isEnumType(getNamedType(f.type))) && f.args.every((a) => !isNonNullType(a.type)))
    .map((f) => f.name);
  return names.length > 0 ? names.join(' ') : '__typename';
}

/** The selection of a root field's result: scalars of the object, of each item, or of each node. */
export function selectionFor(shape: FieldShape, schema: GraphQLSchema): string {
  if (shape.iface) {
    const impls = schema.getPossibleTypes(shape.iface as never).filter(isObjectType);
    return `{ __typename ${impls.map((t) => `... on ${t.name} { ${scalarSelection(t)} }`).join(' ')} }`;
  }
  const inner = `{ ${scalarSelection(shape.type!)} }`;
  if (shape.shape === 'connection') return shape.itemsAt === 'nodes' ? `{ nodes ${inner} }` : `{ edges { node ${inner} } }`;
  return inner;
}

/** A GraphQL input type as JSON Schema, for the body sampler (non-null fields are required). */
export function inputSchema(type: GraphQLInputType, depth = 0): JsonSchema {
  if (depth > 6) return {};
  const nullable = getNullableType(type);
  if (isListType(nullable)) return { type: 'array', items: inputSchema(nullable.ofType as GraphQLInputType, depth + 1) };
  if (isEnumType(nullable)) return { type: 'string', enum: nullable.getValues().map((v) => v.name) };
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields());
    return {
      type: 'object',
      properties: Object.fromEntries(fields.map((f) => [f.name, inputSchema(f.type, depth + 1)])),
      required: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    };
  }
  switch ((nullable as { name?: string }).name) {
    case 'Int':
      return { type: 'integer' };
    case 'Float':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'ID':
      return { type: 'string', format: 'graphql-id' };
    default:
      return { type: 'string' };
  }
}

/** The arguments of a field as one object schema (each argument a property). */
export function argsSchema(field: GraphQLField<unknown, unknown>): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(field.args.map((a) => [a.name, inputSchema(a.type)])),
    required: field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name),
  };
}

/** `$input: CreateProjectInput!, $id: ID!` for a field's arguments, and the call `createProject(input: $input)`. */
export function callText(field: GraphQLField<unknown, unknown>, used: readonly string[]): { defs: string; call: string } {
  const args = field.args.filter((a) => used.includes(a.name));
  return {
    defs: args.length > 0 ? `(${args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})` : '',
    call: args.length > 0 ? `${field.name}(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : field.name,
  };
}

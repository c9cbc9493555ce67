import fs from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The SDL as written (served at GET /graphql/schema.graphql for clients whose introspection is off). */
export const SCHEMA_SDL = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

let built: GraphQLSchema | undefined;

export function graphqlSchema(): GraphQLSchema {
  built ??= buildSchema(SCHEMA_SDL);
  return built;
}

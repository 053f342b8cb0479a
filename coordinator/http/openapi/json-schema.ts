import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as an OpenAPI 3.1 schema object (JSON Schema 2020-12). `input` describes what a
 * client may send (defaults optional), `output` what the server answers (no extra properties).
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Refinements (metadata size) have no JSON Schema form; the server still enforces them.
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

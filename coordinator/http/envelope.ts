import type { Context } from 'hono';

/** The contract's success envelope: `{"code": 200, "data": ...}`. */
export function ok<T>(c: Context, data: T) {
  return c.json({ code: 200, data }, 200);
}

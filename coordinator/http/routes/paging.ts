import { ApiError } from '../api-error.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ApiError(400, `${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

/** One page of a list: `page` counts from 1, `pageSize` defaults to 100. */
export function pageOf<T>(items: T[], rawPage?: string, rawPageSize?: string) {
  const page = positiveInt('page', rawPage, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = positiveInt('pageSize', rawPageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const start = (page - 1) * pageSize;
  return { page, pageSize, items: items.slice(start, start + pageSize) };
}

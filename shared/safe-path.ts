import path from 'node:path';

/**
 * True for a relative POSIX path that stays inside its base: no absolute path, no `..` or `.`
 * segment, no empty segment, no backslash or NUL.
 */
export function isSafeRelativePath(relative: string): boolean {
  if (relative.length === 0 || relative.includes('\0') || relative.includes('\\')) return false;
  if (relative.startsWith('/')) return false;
  return relative.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Joins a checked relative path onto a base directory; throws when the result would leave it.
 * Callers still have to refuse symlinks where the base holds untrusted content.
 */
export function resolveInside(base: string, relative: string): string {
  if (!isSafeRelativePath(relative)) throw new Error(`unsafe path: ${JSON.stringify(relative)}`);
  const root = path.resolve(base);
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) {
    throw new Error(`path leaves its base: ${JSON.stringify(relative)}`);
  }
  return full;
}

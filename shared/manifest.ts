/**
 * A meeting's manifest: what the coordinator serves and the agent copies. Paths are relative,
 * POSIX-style and may never leave the meeting's folder.
 */
import { z } from 'zod';
import { isSafeRelativePath } from './safe-path.js';

export const ManifestFile = z.object({
  path: z.string().min(1).max(1024).refine(isSafeRelativePath, 'not a safe relative path'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const Manifest = z.object({
  meetingId: z.string(),
  fileCount: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  files: z.array(ManifestFile),
});

export type ManifestFile = z.infer<typeof ManifestFile>;
export type Manifest = z.infer<typeof Manifest>;

/** The record written last into `<mount>/meetings/<meetingId>/`. */
export const COMPLETION_RECORD = '.wst-sync.json';

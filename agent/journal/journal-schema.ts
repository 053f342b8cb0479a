import { z } from 'zod';
import { RenamedFile, SyncCommand, TaskStateName } from '../../shared/messages.js';

/** A file this task put (or found) on the device, by its path in the meeting. */
export const VerifiedFileRecord = z.object({
  /** Where the file lies on the device, when its name had to be mapped. */
  devicePath: z.string().optional(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  mtimeMs: z.number(),
});

/** What the agent remembers about one task across restarts. */
export const TaskRecord = z.object({
  command: SyncCommand,
  state: TaskStateName,
  seq: z.number().int().nonnegative(),
  updatedAt: z.number(),
  packageSize: z.number().int().nonnegative().optional(),
  fileCount: z.number().int().nonnegative().optional(),
  skippedFiles: z.number().int().nonnegative().optional(),
  renamedFiles: z.array(RenamedFile).optional(),
  errorCode: z.number().int().optional(),
  errorMessage: z.string().optional(),
  errorDetail: z.string().optional(),
  verified: z.record(z.string(), VerifiedFileRecord).default({}),
});

export const JournalData = z.object({
  version: z.literal(1),
  tasks: z.record(z.string(), TaskRecord),
});

export type TaskRecord = z.infer<typeof TaskRecord>;
export type JournalData = z.infer<typeof JournalData>;

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['completed', 'failed']);

export function isTerminal(record: Pick<TaskRecord, 'state'>): boolean {
  return TERMINAL_STATES.has(record.state);
}

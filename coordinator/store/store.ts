import type { BatchRecord, SubtaskRecord } from '../batches/model.js';

/**
 * Where batches are kept. The embedded default is lowdb files; a larger site can put another
 * implementation behind this interface.
 */
export interface Store {
  /** Every stored batch, oldest first. */
  loadAll(): Promise<BatchRecord[]>;
  /** Writes the batch and resolves once it is durably on disk. */
  save(batch: BatchRecord): Promise<void>;
  /**
   * Schedules a write of the batch; several changes within a short window become one write.
   * `changed` names the subtask whose change this is; without it, any part may have changed.
   */
  saveLater(batch: BatchRecord, changed?: SubtaskRecord): void;
  /** Writes everything scheduled and resolves when it is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

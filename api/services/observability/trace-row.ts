/** One span in the AIGNE observability format (what `POST /api/trace/tree` takes). */
export interface TraceRow {
  id: string;
  rootId: string;
  parentId?: string | null;
  name: string;
  startTime: number;
  endTime: number;
  status: Record<string, unknown>;
  attributes: Record<string, unknown>;
  userId?: string;
  componentId?: string;
  token?: number;
}

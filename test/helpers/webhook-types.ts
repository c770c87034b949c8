// What the webhook receiver records for each delivery attempt (shared by Node and workerd code).

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  type: string;
  data: Record<string, unknown>;
  /** What the receiver answered. */
  answered: number;
  receivedAt: number;
}

/** One resource of a slice namespace's ResourceQuota: how much is used of how much (Kubernetes quantities, as the API reports them). */
export interface QuotaUse {
  readonly resource: string;
  readonly used: string;
  readonly hard: string;
}

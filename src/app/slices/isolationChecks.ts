import { type KubeContext } from '../../core/cluster/environments';
import { type CheckResult, type IsolationReport } from '../../core/slice/isolation';
import { runIsolationChecks } from '../../platform/isolation/runner';
import { type KubeClients } from '../../platform/kube/kubeClients';

/**
 * Slice: Verify Isolation's work: the isolation checks of src/platform/isolation, run against a
 * slice namespace with the developer's own credentials for the context (never the editor's other
 * rights), each result passed on as it finishes. The report is rendered by src/vscode.
 */
export class IsolationChecks {
  constructor(private readonly clients: KubeClients) {}

  run(context: KubeContext, namespace: string, onResult: (r: CheckResult) => void): Promise<IsolationReport> {
    return runIsolationChecks(this.clients.configFor(context), { namespace, onResult });
  }
}

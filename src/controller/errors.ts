/** Kubernetes API errors in words: the one mapping in src/core, shared with the extension's isolation checks. */
export { apiMessage, isConflict, isNotFound, statusCodeOf } from '../core/cluster/apiErrors';

/**
 * The labels and annotations Slice puts on namespaces. A namespace is a *baseline* (the shared,
 * production-like release) or a *slice* (one developer's tenant).
 */
export const LABEL_ROLE = 'slice.dev/role';
export const LABEL_OWNER = 'slice.dev/owner';
export const LABEL_BASELINE = 'slice.dev/baseline';
export const LABEL_SLICE_NAME = 'slice.dev/slice';
/** Expiry as Unix seconds in a label, so it is selectable; the annotation holds RFC 3339. */
export const LABEL_EXPIRES = 'slice.dev/expires';
export const ANNOTATION_EXPIRES_AT = 'slice.dev/expires-at';

export type NamespaceRole = 'baseline' | 'slice';

/** The label selector that finds every namespace Slice shows. */
export const ENVIRONMENT_NAMESPACE_SELECTOR = `${LABEL_ROLE} in (baseline,slice)`;

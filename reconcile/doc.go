// Package reconcile owns the decision of what to change on ONTAP and the
// only code that changes it. Observe reads every managed cluster (peer
// records, identity and, when a plan needs them, intercluster addresses);
// Diff compares that observation with the desired state and returns a Plan,
// a pure and deterministic value that never holds a secret; Render prints a
// Plan as text or JSON; Apply executes a Plan step by step, holding
// generated passphrases in memory only.
package reconcile

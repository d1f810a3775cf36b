/**
 * Wires URL policy into browser sessions: one egress proxy per context and a
 * navigation guard per session, both recording what they decide in the audit log.
 */
import type { AuditSink } from '../audit/audit-setup.js';
import { auditWho } from '../actor.js';
import { ContextEgress, type UrlPolicy } from '../egress/context-egress.js';
import { WarnAcknowledgements, type NavigationRecord } from './navigation-guard.js';
import type { SessionPolicy } from './session-manager.js';

export interface SessionPolicyDeps {
  policy: UrlPolicy;
  /** Counts refusals for /metrics by kind ('egress', 'navigation'). */
  onRefusal?: (kind: 'egress' | 'navigation') => void;
  audit: AuditSink;
  allowPrivate: readonly string[];
  allowedPorts: readonly number[];
  ownPorts: () => readonly number[];
}

export function createSessionPolicy(deps: SessionPolicyDeps): SessionPolicy {
  return {
    startEgress: () =>
      ContextEgress.start({
        policy: deps.policy,
        allowPrivate: deps.allowPrivate,
        allowedPorts: deps.allowedPorts,
        ownPorts: deps.ownPorts,
        onRefusal: (identity, event) => {
          deps.onRefusal?.('egress');
          deps.audit.record({
            ...auditWho(identity),
            event: 'egress-refused',
            outcome: 'blocked',
            details: { host: event.host, port: event.port, addresses: [...event.addresses], code: event.code, reason: event.reason, kind: event.kind },
          });
        },
      }),
    guardFor: (identity) => ({
      policy: deps.policy,
      identity,
      allowPrivate: deps.allowPrivate,
      acks: new WarnAcknowledgements(),
      record: (entry: NavigationRecord) => {
        if (entry.verdict === 'block') deps.onRefusal?.('navigation');
        deps.audit.record({
          ...auditWho(identity),
          event: entry.verdict === 'block' ? 'navigation-blocked' : 'navigation',
          outcome: entry.verdict === 'block' ? 'blocked' : 'allowed',
          details: {
            url: entry.url,
            verdict: entry.verdict,
            rule: entry.rule ? { id: entry.rule.id, name: entry.rule.name } : null,
            reason: entry.reason,
            mainFrame: entry.mainFrame,
            ...(entry.userReason ? { userReason: entry.userReason } : {}),
          },
        });
      },
    }),
  };
}

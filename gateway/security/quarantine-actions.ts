/**
 * What the security team may do with a quarantined original — release it to the
 * user who downloaded it (optionally after a second security user approves),
 * delete it, or take it for analysis as an encrypted ZIP. Every action needs a
 * written justification and leaves an audit record. Every release step (request,
 * approval, delivery) first rescans the original with current signatures and
 * refuses anything but a clean answer (release-scan.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { QuarantineRecord, QuarantineStore } from '../downloads/quarantine-store.js';
import type { Scanner } from '../../sanitizer/index.js';
import type { QuarantineIndex } from './quarantine-search.js';
import { writeAnalysisZip } from './analysis-zip.js';
import type { ReleaseRecord, ReleaseRepository } from './release-repository.js';
import { auditScan, scanOriginal, type ReleaseScan, type ScanOutcome } from './release-scan.js';
import { referencePrefix } from '../downloads/download-changes.js';
import { checkJustification, scanRefusal, SecurityRefusal, UNSCANNABLE_REASONS } from './security-errors.js';

/** A release step's result with the scan it was based on (none for a rejection). */
export interface ReleaseOutcome {
  release: ReleaseRecord;
  scan: ReleaseScan | null;
}

/** How long a released original waits for its user. */
const RELEASE_TTL_MS = 7 * 24 * 3600_000;

export interface QuarantineActionsOptions {
  quarantine: Pick<QuarantineStore, 'get' | 'delete'>;
  index: Pick<QuarantineIndex, 'get' | 'byReference'>;
  releases: ReleaseRepository;
  audit: Pick<AuditLog, 'record'>;
  /** The antivirus engine (clamd) that rescans every original before it is released. */
  scanner: Pick<Scanner, 'scan'>;
  /** Read on every request so a config reload needs no restart of this service. */
  needsSecondApproval: () => boolean;
  /** Tells the recipient's live browser sessions that a file waits for them, or that their own request was rejected. */
  notifyRecipient?: (release: ReleaseRecord) => void;
  now?: () => Date;
}

export class QuarantineActions {
  private readonly now: () => Date;

  constructor(private readonly o: QuarantineActionsOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Starts a release: released at once, or pending when a second approval is required. */
  async requestRelease(actor: Actor, quarantineId: string, justification: unknown): Promise<ReleaseOutcome> {
    const why = checkJustification(justification);
    const record = this.record(quarantineId);
    if (record.userId === null) throw new SecurityRefusal('release-no-recipient');
    if (record.reason !== null && UNSCANNABLE_REASONS.has(record.reason)) {
      this.audit(actor, 'failure', this.o.needsSecondApproval() ? 'release-requested' : 'release', record, why, { refused: 'release-unscannable', blockedFor: record.reason });
      throw new SecurityRefusal('release-unscannable');
    }
    if (this.o.releases.open(quarantineId)) throw new SecurityRefusal('release-already-open');
    const needsApproval = this.o.needsSecondApproval();
    const action = needsApproval ? 'release-requested' : 'release';
    const scanned = await this.scanOrRefuse(actor, quarantineId, action, why, { recipientId: record.userId, recipientName: record.userName });
    // Checked again: the record may have been deleted, or another request filed, while the scan ran.
    this.record(quarantineId);
    if (this.o.releases.open(quarantineId)) throw new SecurityRefusal('release-already-open');
    const at = this.now().toISOString();
    const release: ReleaseRecord = {
      id: randomUUID(),
      quarantineId,
      sha256: record.sha256,
      name: record.name,
      size: record.size,
      recipientId: record.userId,
      recipientName: record.userName,
      state: needsApproval ? 'pending' : 'released',
      requestedBy: actor.id,
      requestedByName: actor.name,
      requestedAt: at,
      requestJustification: why,
      decidedBy: null,
      decidedByName: null,
      decidedAt: null,
      decisionJustification: null,
      token: needsApproval ? null : newToken(),
      releasedAt: needsApproval ? null : at,
      expiresAt: needsApproval ? null : this.expiry(),
      deliveredAt: null,
    };
    this.o.releases.insert(release);
    this.audit(actor, 'success', action, record, why, { releaseId: release.id, recipientId: release.recipientId, recipientName: release.recipientName, ...auditScan(scanned) });
    if (!needsApproval) this.o.notifyRecipient?.(release);
    return { release, scan: scanned.scan };
  }

  /**
   * A user asks for the original of one of their own blocked downloads, named by the
   * reference number the download panel showed. It waits as a pending release for the
   * security team's approve/reject (decide). Infected originals may be asked for (the
   * approval rescans with current signatures, so a withdrawn false positive can still
   * be released); unscannable ones cannot (never released, see UNSCANNABLE_REASONS).
   */
  requestByUser(actor: Actor, reference: unknown, reason: unknown): ReleaseRecord {
    const why = checkJustification(reason);
    const prefix = typeof reference === 'string' ? referencePrefix(reference) : null;
    const found = prefix ? this.o.index.byReference(prefix) : [];
    const own = found.filter((r) => r.userId === actor.id);
    const ref = typeof reference === 'string' ? reference.slice(0, 20) : '';
    if (own.length === 0) {
      // Someone else's record answers exactly like no record at all.
      if (found.length > 0) this.audit(actor, 'failure', 'release-request', { id: '', sha256: '', name: '' }, why, { reference: ref, refused: 'not-owner' });
      throw new SecurityRefusal('quarantine-not-found');
    }
    if (own.length > 1) throw new SecurityRefusal('release-request-ambiguous');
    const record = own[0]!;
    const refuse = (code: 'release-request-not-blocked' | 'release-unscannable' | 'release-already-open'): never => {
      this.audit(actor, 'failure', 'release-request', record, why, { reference: ref, refused: code });
      throw new SecurityRefusal(code);
    };
    if (record.verdict !== 'blocked') refuse('release-request-not-blocked');
    if (record.reason !== null && UNSCANNABLE_REASONS.has(record.reason)) refuse('release-unscannable');
    // No await between this check and the insert: SQLite is synchronous, so one open request per record holds.
    if (this.o.releases.open(record.id)) refuse('release-already-open');
    const release: ReleaseRecord = {
      ...this.pendingFrom(record, actor, why),
      recipientId: actor.id,
      recipientName: record.userName ?? actor.name,
    };
    this.o.releases.insert(release);
    this.audit(actor, 'success', 'release-request', record, why, { reference: ref, releaseId: release.id, reason: record.reason, signature: record.signature });
    return release;
  }

  /** The second security user's decision on a pending release; never the requester's own. */
  async decide(actor: Actor, releaseId: string, approve: boolean, justification: unknown): Promise<ReleaseOutcome> {
    const why = checkJustification(justification);
    const pending = this.o.releases.get(releaseId);
    if (!pending || pending.state !== 'pending') throw new SecurityRefusal('release-not-pending');
    const facts = { releaseId, recipientId: pending.recipientId, recipientName: pending.recipientName, requestedBy: pending.requestedByName };
    const subject = { id: pending.quarantineId, sha256: pending.sha256, name: pending.name };
    // Nobody decides their own request, nor gives both approvals of a user's request.
    if (pending.requestedBy === actor.id || pending.decidedBy === actor.id) {
      this.audit(actor, 'failure', approve ? 'release-approved' : 'release-rejected', subject, why, { ...facts, refused: 'self-approval' });
      throw new SecurityRefusal('self-approval');
    }
    // With second approval on, a user's own request needs two security users, as one started by the team does.
    const firstOfTwo = approve && isUserRequest(pending) && pending.decidedBy === null && this.o.needsSecondApproval();
    // Approval is the moment of release: scan again, the signatures may be newer than at the request.
    const scanned = approve ? await this.scanOrRefuse(actor, pending.quarantineId, 'release-approved', why, facts, pending.sha256) : undefined;
    const at = this.now().toISOString();
    if (firstOfTwo) {
      if (!this.o.releases.firstApproval(releaseId, { by: actor.id, byName: actor.name, at, justification: why })) throw new SecurityRefusal('release-not-pending');
      this.audit(actor, 'success', 'release-approved', subject, why, { ...facts, stage: 'first-of-two', ...(scanned ? auditScan(scanned) : {}) });
      return { release: this.o.releases.get(releaseId)!, scan: scanned?.scan ?? null };
    }
    const token = approve ? newToken() : null;
    const ok = this.o.releases.decide(releaseId, { state: approve ? 'released' : 'rejected', by: actor.id, byName: actor.name, at, justification: why, token, expiresAt: approve ? this.expiry() : null });
    if (!ok) throw new SecurityRefusal('release-not-pending');
    this.audit(actor, 'success', approve ? 'release-approved' : 'release-rejected', subject, why, { ...facts, ...(scanned ? auditScan(scanned) : {}) });
    const decided = this.o.releases.get(releaseId)!;
    // A rejection is news only to a user who asked themselves.
    if (approve || isUserRequest(decided)) this.o.notifyRecipient?.(decided);
    return { release: decided, scan: scanned?.scan ?? null };
  }

  /** Deletes the original and its index record; open releases of it are cancelled. */
  async delete(actor: Actor, quarantineId: string, justification: unknown): Promise<void> {
    const why = checkJustification(justification);
    const record = this.record(quarantineId);
    const cancelled = this.o.releases.cancelOpen(quarantineId);
    await this.o.quarantine.delete(quarantineId);
    this.audit(actor, 'success', 'delete', record, why, { userId: record.userId, userName: record.userName, cancelledReleases: cancelled });
  }

  /** The original in a ZIP encrypted with the password "infected". */
  async analysisZip(actor: Actor, quarantineId: string, justification: unknown): Promise<{ fileName: string; zip: Buffer }> {
    const why = checkJustification(justification);
    const stored = await this.read(quarantineId);
    const entryName = safeEntryName(stored.record.name, stored.record.sha256);
    const zip = await writeAnalysisZip(entryName, stored.bytes, new Date(stored.record.createdAt));
    this.audit(actor, 'success', 'analysis-download', stored.record, why, { entryName });
    return { fileName: `${stored.record.sha256.slice(0, 16)}.zip`, zip };
  }

  /** A fresh scan of the original for the console; changes nothing, so it is not audited. */
  async scan(quarantineId: string): Promise<ReleaseScan> {
    const stored = await this.read(quarantineId);
    return (await scanOriginal(this.o.scanner, stored.bytes, this.now())).scan;
  }

  /**
   * The released original for its recipient, once; undefined for anyone else or a used
   * link. Scanned once more on the way out (a link lives for days); an infected original
   * cancels the release, a scanner failure refuses and leaves the link for a retry.
   */
  async takeReleased(recipient: Actor, token: string): Promise<{ name: string; bytes: Buffer } | undefined> {
    const release = this.o.releases.byToken(token);
    if (!release || release.recipientId !== recipient.id) return undefined;
    const stored = await this.o.quarantine.get(release.quarantineId).catch(() => undefined);
    if (!stored || stored.record.sha256 !== release.sha256) return undefined;
    const why = release.decisionJustification ?? release.requestJustification;
    const scanned = await scanOriginal(this.o.scanner, stored.bytes, this.now());
    const refusal = scanRefusal(scanned.scan);
    if (refusal) {
      if (scanned.scan.status !== 'unavailable') this.o.releases.cancelOpen(release.quarantineId);
      this.audit(recipient, 'failure', 'release-delivered', stored.record, why, { releaseId: release.id, refused: 'scan', ...auditScan(scanned) });
      throw refusal;
    }
    if (!this.o.releases.markDelivered(token, recipient.id, this.now().toISOString())) return undefined;
    this.audit(recipient, 'success', 'release-delivered', stored.record, why, { releaseId: release.id, ...auditScan(scanned) });
    return { name: stored.record.name, bytes: stored.bytes };
  }

  releasedFor(recipientId: number): ReleaseRecord[] {
    return this.o.releases.releasedFor(recipientId, this.now().toISOString());
  }

  private pendingFrom(record: QuarantineRecord, actor: Actor, why: string): ReleaseRecord {
    return {
      id: randomUUID(),
      quarantineId: record.id,
      sha256: record.sha256,
      name: record.name,
      size: record.size,
      recipientId: actor.id,
      recipientName: actor.name,
      state: 'pending',
      requestedBy: actor.id,
      requestedByName: actor.name,
      requestedAt: this.now().toISOString(),
      requestJustification: why,
      decidedBy: null,
      decidedByName: null,
      decidedAt: null,
      decisionJustification: null,
      token: null,
      releasedAt: null,
      expiresAt: null,
      deliveredAt: null,
    };
  }

  private record(quarantineId: string): QuarantineRecord {
    // The index only: get() on the store would decrypt the whole original.
    const record = this.o.index.get(quarantineId);
    if (!record) throw new SecurityRefusal('quarantine-not-found');
    return record;
  }

  /** Decrypts and scans the original; anything but clean is audited as a refused `action` and thrown. */
  private async scanOrRefuse(actor: Actor, quarantineId: string, action: string, why: string, facts: Record<string, unknown>, sha256?: string): Promise<ScanOutcome> {
    const stored = await this.read(quarantineId);
    // The pending request named these exact bytes; anything else is not what was approved.
    if (sha256 !== undefined && stored.record.sha256 !== sha256) throw new SecurityRefusal('quarantine-unreadable');
    const scanned = await scanOriginal(this.o.scanner, stored.bytes, this.now());
    const refusal = scanRefusal(scanned.scan);
    if (refusal) {
      this.audit(actor, 'failure', action, stored.record, why, { ...facts, refused: 'scan', ...auditScan(scanned) });
      throw refusal;
    }
    return scanned;
  }

  private async read(quarantineId: string): Promise<{ record: QuarantineRecord; bytes: Buffer }> {
    let stored;
    try {
      stored = await this.o.quarantine.get(quarantineId);
    } catch {
      throw new SecurityRefusal('quarantine-unreadable');
    }
    if (!stored) throw new SecurityRefusal('quarantine-not-found');
    return stored;
  }

  private expiry(): string {
    return new Date(this.now().getTime() + RELEASE_TTL_MS).toISOString();
  }

  private audit(actor: Actor, outcome: 'success' | 'failure', action: string, subject: Pick<QuarantineRecord, 'id' | 'sha256' | 'name'>, justification: string, extra: Record<string, unknown>): void {
    this.o.audit.record({
      event: 'quarantine-action',
      outcome,
      userId: actor.id,
      userName: actor.name,
      role: actor.role,
      sourceIp: actor.sourceIp,
      details: { action, id: subject.id, sha256: subject.sha256, name: subject.name, justification, ...extra },
    });
  }
}

/** A release the recipient asked for themselves (from the download panel), not one the security team started. */
export function isUserRequest(release: Pick<ReleaseRecord, 'requestedBy' | 'recipientId'>): boolean {
  return release.requestedBy === release.recipientId;
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** A plain base name for the ZIP entry: no directories, no control characters. */
export function safeEntryName(name: string, sha256: string): string {
  const base = name.replace(/[\p{Cc}\p{Cf}]/gu, '_').split(/[/\\]/).pop()?.trim() ?? '';
  return base && base !== '.' && base !== '..' ? base : `${sha256}.bin`;
}

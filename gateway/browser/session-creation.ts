/**
 * "The user's session, or a new one" with concurrent callers sharing one creation: a
 * reload that reconnects while the first viewer's session is still being made must get
 * that same session, never a second one. Used by the in-process session manager and the
 * worker pool alike.
 */

/** The gateway holds as many sessions as it may (`session.maxSessions`). */
export class SessionLimitError extends Error {
  readonly code = 'KEKKAI_ERR_SESSION_LIMIT';
}

export interface SessionCreation<S> {
  existing(id: string): S | undefined;
  count(): number;
  max: number;
  create(id: string): Promise<S>;
}

export class SessionCreations<S> {
  private readonly creating = new Map<string, Promise<S>>();

  async getOrCreate(id: string, how: SessionCreation<S>): Promise<{ session: S; resumed: boolean }> {
    const existing = how.existing(id);
    if (existing) return { session: existing, resumed: true };
    const pending = this.creating.get(id);
    if (pending) return { session: await pending, resumed: true };
    if (how.count() >= how.max) throw new SessionLimitError('session limit reached');
    const promise = how.create(id);
    this.creating.set(id, promise);
    try {
      return { session: await promise, resumed: false };
    } finally {
      this.creating.delete(id);
    }
  }
}

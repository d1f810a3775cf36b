/**
 * Types for the part of the untyped `clamscan` package (v2.4, CommonJS,
 * `module.exports = NodeClam`) that kekkai uses: init with a clamd socket or
 * host/port, `scanStream` (INSTREAM) and `ping`. See node_modules/clamscan/index.js.
 */
declare module 'clamscan' {
  import type { Socket } from 'node:net';
  import type { Readable } from 'node:stream';

  namespace NodeClam {
    interface ClamdscanOptions {
      /** Unix socket path; tried before host/port. */
      socket?: string | false;
      host?: string | false;
      port?: number | false;
      /** Socket idle timeout in ms (`socket.setTimeout`), not a deadline for the whole scan. */
      timeout?: number;
      /** Fall back to running a local binary when clamd cannot be reached (isInfected/scanFile/scanDir only). */
      localFallback?: boolean;
      /** Path of the local `clamdscan` binary; init runs `<path> --version` unless falsy. */
      path?: string | null;
      configFile?: string | null;
      multiscan?: boolean;
      reloadDb?: boolean;
      active?: boolean;
      /** When false, init() PINGs clamd and rejects if it does not answer. */
      bypassTest?: boolean;
      tls?: boolean;
    }

    interface ClamscanOptions {
      /** Path of the local `clamscan` binary; init may run `<path> --version` unless falsy. */
      path?: string | null;
      db?: string | null;
      scanArchives?: boolean;
      active?: boolean;
    }

    interface Options {
      removeInfected?: boolean;
      quarantineInfected?: boolean | string;
      scanLog?: string | null;
      debugMode?: boolean;
      fileList?: string | null;
      scanRecursively?: boolean;
      clamscan?: ClamscanOptions;
      clamdscan?: ClamdscanOptions;
      preference?: 'clamscan' | 'clamdscan';
    }

    /** What `scanStream` resolves with (`_processResult`). */
    interface ScanStreamResult {
      /** true: FOUND; false: "…: OK"; null: any other reply (also "COMMAND READ TIMED OUT"). */
      isInfected: boolean | null;
      viruses: string[];
      file: string | null;
      /** clamd's raw reply, trimmed (the trailing NUL of a z-command stays). */
      resultString: string;
      timeout: boolean;
    }
  }

  class NodeClam {
    constructor();
    initialized: boolean;
    /** 'clamdscan' or 'clamscan': which local binary isInfected/scanFile would use. */
    scanner: 'clamscan' | 'clamdscan';
    settings: NodeClam.Options & { clamdscan: NodeClam.ClamdscanOptions; clamscan: NodeClam.ClamscanOptions };
    init(options?: NodeClam.Options): Promise<NodeClam>;
    /** Sends INSTREAM over the socket; rejects on socket errors, ERROR replies and early close. */
    scanStream(stream: Readable): Promise<NodeClam.ScanStreamResult>;
    /** Resolves with the still-open socket once clamd answered PONG; the caller must close it. */
    ping(): Promise<Socket>;
    /**
     * Internal (`@private` in the package): opens the clamd connection used by ping and
     * scanStream; resolves on connect. kekkai overrides it only to be able to destroy
     * the socket when its own deadline passes.
     */
    _initSocket(label?: string): Promise<Socket>;
  }

  export = NodeClam;
}

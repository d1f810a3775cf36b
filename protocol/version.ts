/** Version of the viewer protocol, sent in the first `hello` and `welcome`. */
export const PROTOCOL_VERSION = 2;
// 2: frames carry key frames and deltas (scroll copy + tiles), frame-header.ts.

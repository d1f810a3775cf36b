/** Version of the viewer protocol, sent in the first `hello` and `welcome`. */
export const PROTOCOL_VERSION = 1;

export * from './version.js';
export * from './frame-header.js';
export * from './client-messages.js';
export * from './server-messages.js';
export * from './pickers.js';

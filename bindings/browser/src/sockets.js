// Placeholder until the socket extension lands: no socket imports.
export function socketExtension() { return () => ({}); }

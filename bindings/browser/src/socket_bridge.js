export function startSocketBridge() { throw new Error('sockets over the gateway are not available yet'); }

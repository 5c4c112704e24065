/** socket.io rooms of a cluster: the adapter delivers to them on every gateway. */
export const CLIENT_ROOM = (code: string) => `clients:${code}`;
export const ADMIN_ROOM = (code: string) => `admin:${code}`;
/** One client's connection, whichever gateway holds it. */
export const clientRoom = (code: string, clientId: string) => `client:${code}:${clientId}`;

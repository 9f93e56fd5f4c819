/** Paths the broker answers itself; no target may take one of these names. */
export const RESERVED_PATHS = ['targets', 'doctor', 'auth', 'callback', 'logout', 'signout', 'static', 'health', 'favicon.ico'];

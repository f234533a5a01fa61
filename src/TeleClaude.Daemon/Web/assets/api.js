// REST calls of the dashboard (same origin: the browser sends the sign-in cookie). Errors are the daemon's RFC 7807
// problems; their detail is what the person reads.

let unauthorized = () => {};

/** What to do when a call answers 401 (signed out, or the token was rotated): the hub stops and sign-in shows. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'the daemon cannot be reached');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  const json = text ? safeParse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/login' && path !== '/computers') unauthorized();
    const detail = json?.detail ?? json?.title ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail);
  }
  return json;
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const enc = encodeURIComponent;

export const api = {
  createSession: (request) => call('POST', '/sessions', request),
  endSession: (id) => call('DELETE', `/sessions/${enc(id)}`),
  sendInput: (id, text) => call('POST', `/sessions/${enc(id)}/input`, { text }),
  answer: (id, choice) => call('POST', `/sessions/${enc(id)}/answer`, { choice }),
  messages: (id, since, limit = 200) =>
    call('GET', `/sessions/${enc(id)}/messages?limit=${limit}${since ? `&since=${enc(since)}` : ''}`),
  addProject: (path, name) => call('POST', '/projects', { path, name: name || null }),
  login: (token) => call('POST', '/login', { token }),
  logout: () => call('POST', '/logout'),
  /** True while the cookie is accepted; false once the daemon says 401 (signed out or token rotated). */
  async signedIn() {
    try {
      await call('GET', '/computers');
      return true;
    } catch (e) {
      if (e.status === 401) return false;
      throw e;
    }
  },
};

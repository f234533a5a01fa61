// The hub connection (the official SignalR browser client, JSON protocol): pushes go to the store; every (re)connect
// subscribes both views again and re-watches the selected session, so the page redraws from the full state the daemon
// sends on subscribe instead of trusting what it had before the drop. A 401 ends the retries: the page shows sign-in.
import { state, setState, pushes } from './store.js';
import { api, onUnauthorized } from './api.js';

const signalR = window.signalR;
const delays = [0, 500, 1000, 2000, 5000];
const delay = (attempt) => delays[Math.min(attempt, delays.length - 1)];

let connection = null;
let attempt = 0;
let watched = null; // the session the daemon sends screens of, on this connection
let checking = false;

export function startHub() {
  onUnauthorized(() => stopHub());
  connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/sessions')
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (context) => {
        checkSignedIn();
        return state.connection === 'signed-out' ? null : delay(context.previousRetryCount);
      },
    })
    .configureLogging(signalR.LogLevel.None)
    .build();
  for (const [name, handler] of Object.entries(pushes)) connection.on(name, handler);
  connection.onreconnecting(() => {
    watched = null;
    setState({ connection: 'reconnecting', connectionDetail: '' });
  });
  connection.onreconnected(() => onConnected());
  connection.onclose(() => {
    watched = null;
    if (state.connection !== 'signed-out') scheduleStart();
  });
  start();
}

async function start() {
  try {
    await connection.start();
  } catch {
    if (await signedOut()) return;
    scheduleStart();
    return;
  }
  await onConnected();
}

function scheduleStart() {
  const wait = delay(++attempt);
  setState({ connection: 'offline', connectionDetail: wait > 0 ? `retrying in ${Math.ceil(wait / 1000)} s` : 'retrying' });
  setTimeout(start, wait);
}

async function onConnected() {
  attempt = 0;
  watched = null;
  try {
    // Subscribe answers after the full state has been pushed: the page is current when it says "connected".
    await Promise.all([connection.invoke('Subscribe', 'sessions'), connection.invoke('Subscribe', 'preparation')]);
  } catch {
    return; // dropped again; the reconnect logic runs
  }
  setState({ connection: 'connected', connectionDetail: '' });
  syncWatch();
}

/** Watches the selected session (and unwatches the one before) when connected. */
export async function syncWatch() {
  const want = state.connection === 'connected' && state.selected && state.ended !== state.selected ? state.selected : null;
  if (want === watched) return;
  const previous = watched;
  watched = want;
  if (previous) connection.invoke('Unwatch', previous).catch(() => {});
  if (!want) return;
  try {
    await connection.invoke('Watch', want);
  } catch (e) {
    if (state.selected === want) setState({ watchError: hubMessage(e) });
  }
}

export async function refresh(view) {
  try {
    await connection.invoke('Refresh', view === 'preparation' ? 'preparation' : 'sessions');
    setState({ footer: `refreshed ${view === 'preparation' ? 'preparation' : 'sessions'}` });
  } catch (e) {
    setState({ footer: `refresh failed: ${hubMessage(e)}` });
  }
}

export async function stopHub() {
  setState({ connection: 'signed-out' });
  await connection?.stop();
}

/** The daemon's own words from a failed hub call ("HubException: ..."), without the client's preamble. */
function hubMessage(error) {
  const text = String(error?.message ?? error);
  const at = text.indexOf('HubException: ');
  return at >= 0 ? text.slice(at + 'HubException: '.length) : text;
}

async function signedOut() {
  try {
    if (await api.signedIn()) return false;
  } catch {
    return false; // unreachable: keep retrying
  }
  setState({ connection: 'signed-out', connectionDetail: '' });
  return true;
}

function checkSignedIn() {
  if (checking) return;
  checking = true;
  signedOut().then((out) => {
    checking = false;
    if (out) connection.stop();
  });
}

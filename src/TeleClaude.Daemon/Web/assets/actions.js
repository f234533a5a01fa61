// What the person can do, shared by the buttons and the keyboard. Each action says its outcome in the footer.
import { state, setState, orderedSessions, waitingSessions } from './store.js';
import { api } from './api.js';
import { refresh, syncWatch } from './hub.js';

const name = (s) => `"${s?.title ?? s?.session_id ?? '?'}"`;
const fail = (what, e) => setState({ footer: `${what} failed: ${e.message}` });

export function setView(view) {
  setState({ view });
}

export function select(sessionId) {
  if (state.selected === sessionId) return;
  setState({ selected: sessionId, screen: null, watchError: '', ended: null, transcript: null });
  if (sessionId && state.pane === 'transcript') loadTranscript();
  syncWatch();
}

export function closeDetail() {
  select(null);
}

export function move(step) {
  const list = orderedSessions(state);
  if (list.length === 0) return;
  const at = list.findIndex((s) => s.session_id === state.selected);
  const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, at + step));
  select(list[next].session_id);
  document.querySelector(`[data-session="${CSS.escape(list[next].session_id)}"]`)?.scrollIntoView({ block: 'nearest' });
}

/** Selects the session waiting longest (the `w` key). */
export function jumpToWaiting() {
  const first = waitingSessions(state)[0];
  if (!first) {
    setState({ footer: 'nobody waits for you' });
    return;
  }
  select(first.session_id);
}

export function selectedSession() {
  return state.selected ? state.sessions.get(state.selected) : null;
}

export async function answer(session, choice) {
  try {
    await api.answer(session.session_id, choice.key);
    setState({ footer: `answered ${name(session)}: ${choice.label}` });
  } catch (e) {
    fail(`answering ${name(session)}`, e);
  }
}

/** The choice a key picks on a waiting session: its own keys, then y (yes) and n (no). */
export function choiceForKey(session, key) {
  const choices = session?.status === 'waiting' ? session.waiting?.choices ?? [] : [];
  const lower = key.toLowerCase();
  return choices.find((c) => c.key.toLowerCase() === lower)
    ?? (lower === 'y' ? choices.find((c) => c.meaning === 'yes') : null)
    ?? (lower === 'n' ? choices.find((c) => c.meaning === 'no') : null)
    ?? null;
}

export async function reply(session, text) {
  if (!text.trim()) return false;
  try {
    await api.sendInput(session.session_id, text);
    setState({ footer: `sent to ${name(session)}` });
    return true;
  } catch (e) {
    fail(`sending to ${name(session)}`, e);
    return false;
  }
}

export async function endSession(session) {
  if (!session || !confirm(`End ${name(session)} on ${session.computer}? Its agent is stopped.`)) return;
  try {
    await api.endSession(session.session_id);
    setState({ footer: `ended ${name(session)}` });
  } catch (e) {
    fail(`ending ${name(session)}`, e);
  }
}

export async function createSession(request) {
  try {
    const session = await api.createSession(request);
    setState({ footer: `created ${name(session)}`, dialog: null, view: 'sessions' });
    select(session.session_id);
    return null;
  } catch (e) {
    return e.message;
  }
}

export async function addProject(path, projectName) {
  try {
    const project = await api.addProject(path, projectName);
    setState({ footer: `added project ${project.name}`, dialog: null });
    return null;
  } catch (e) {
    return e.message;
  }
}

export function togglePane() {
  const pane = state.pane === 'screen' ? 'transcript' : 'screen';
  setState({ pane });
  if (pane === 'transcript') loadTranscript();
}

/** The conversation of the selected session, then what follows its last message on each call. */
export async function loadTranscript() {
  const id = state.selected;
  if (!id) return;
  const current = state.transcript?.session_id === id ? state.transcript : null;
  // A transcript is read on from its last message; a screen (no transcript) is read whole again.
  const since = current?.source === 'transcript' ? current.messages.at(-1)?.cursor ?? null : null;
  try {
    const page = await api.messages(id, since);
    if (state.selected !== id) return;
    const messages = since ? [...current.messages, ...page.messages] : page.messages;
    setState({ transcript: { session_id: id, source: page.source, messages, next_cursor: page.next_cursor, error: '' } });
    if (page.next_cursor) loadTranscript();
  } catch (e) {
    if (state.selected === id) setState({ transcript: { session_id: id, source: '', messages: current?.messages ?? [], error: e.message } });
  }
}

export function refreshView() {
  refresh(state.view === 'preparation' ? 'preparation' : 'sessions');
}

export function openDialog(dialog) {
  setState({ dialog });
}

export function closeDialog() {
  setState({ dialog: null });
}

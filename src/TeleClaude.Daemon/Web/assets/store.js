// The dashboard's state: what the hub pushed (computers, sessions, projects with todos, the watched screen) and what
// the person did (view, selection, filter). One object, replaced on every change; components read it through useStore.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

export let state = {
  connection: 'connecting', // connecting | connected | reconnecting | offline | signed-out
  connectionDetail: '',
  lastUpdate: null, // Date of the last push
  view: 'sessions', // sessions | preparation | waiting
  computers: new Map(), // name -> ComputerInfo
  sessions: new Map(), // session_id -> SessionInfo
  projects: [], // [{project, todos}]
  selected: null, // session_id
  pane: 'screen', // screen | transcript
  screen: null, // {session_id, screen, captured_at} of the watched session
  watchError: '',
  ended: null, // session_id of a watched session that ended (its last screen stays)
  transcript: null, // {session_id, source, messages, next_cursor, error}
  filter: '',
  footer: '', // the outcome of the last action
  dialog: null, // null | {kind: 'new-session' | 'add-project' | 'help', ...}
  loginFailed: false,
};

export function setState(patch) {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const listener of listeners) listener(state);
}

/** Calls listener(state) after every change; returns the function that stops it. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Re-renders the calling component on every change; returns the current state. */
export function useStore() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return state;
}

// ---- pushes (ISessionsClient); each replaces what it carries ----

const touched = () => ({ lastUpdate: new Date() });

export const pushes = {
  SessionsState(snapshot) {
    const sessions = new Map(snapshot.sessions.filter((s) => s.status !== 'terminated').map((s) => [s.session_id, s]));
    setState((s) => ({
      ...touched(),
      computers: new Map(snapshot.computers.map((c) => [c.name, c])),
      sessions,
      // The selected session is gone from the full state (it ended while the page was disconnected): say so, as a push would.
      ended: s.selected && !sessions.has(s.selected) ? s.selected : s.ended,
    }));
  },
  PreparationState(snapshot) {
    setState((s) => ({
      ...touched(),
      computers: mergeComputers(s.computers, snapshot.computers),
      projects: snapshot.projects,
    }));
  },
  SessionCreated: (session) => putSession(session),
  SessionUpdated: (session) => putSession(session),
  SessionTerminated(session) {
    setState((s) => {
      const sessions = new Map(s.sessions);
      sessions.delete(session.session_id);
      return { ...touched(), sessions, ended: s.selected === session.session_id ? session.session_id : s.ended };
    });
  },
  AgentEvent: (event) => putSession(event.session),
  InputReceived: (event) => putSession(event.session),
  ComputerUpdated: (computer) => putComputer(computer),
  ComputerOffline: (computer) => putComputer(computer),
  ProjectsUpdated(update) {
    setState((s) => {
      const todos = new Map(s.projects.map((p) => [key(p.project.computer, p.project.path), p.todos]));
      const others = s.projects.filter((p) => p.project.computer !== update.computer);
      const mine = update.projects.map((project) => ({ project, todos: todos.get(key(project.computer, project.path)) ?? [] }));
      return { ...touched(), projects: [...others, ...mine] };
    });
  },
  TodosUpdated(update) {
    setState((s) => ({
      ...touched(),
      projects: s.projects.map((p) =>
        p.project.computer === update.computer && p.project.path === update.project_path ? { ...p, todos: update.todos } : p),
    }));
  },
  SessionOutput(output) {
    if (output.session_id !== state.selected) return;
    setState({ ...touched(), screen: output, watchError: '' });
  },
};

function putSession(session) {
  if (session.status === 'terminated') return pushes.SessionTerminated(session);
  setState((s) => {
    const sessions = new Map(s.sessions);
    sessions.set(session.session_id, session);
    return { ...touched(), sessions };
  });
}

function putComputer(computer) {
  setState((s) => ({ ...touched(), computers: mergeComputers(s.computers, [computer]) }));
}

function mergeComputers(current, incoming) {
  const computers = new Map(current);
  for (const c of incoming) computers.set(c.name, c);
  return computers;
}

const key = (computer, path) => computer + '\u0000' + path;

// ---- selectors ----

/** Sessions that pass the filter: every word must appear in the title, project, agent or computer. */
export function visibleSessions(s) {
  const words = s.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const all = [...s.sessions.values()];
  if (words.length === 0) return all;
  return all.filter((x) => {
    const text = [x.title, x.project_path, x.agent, x.computer].filter(Boolean).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Waiting sessions of every computer, the one waiting longest first. */
export function waitingSessions(s) {
  return [...s.sessions.values()]
    .filter((x) => x.status === 'waiting')
    .sort((a, b) => waitingSince(a) - waitingSince(b));
}

const waitingSince = (x) => Date.parse(x.waiting?.since ?? x.last_activity ?? x.created_at ?? 0) || 0;

/** computer -> project path -> sessions, computers local first then by name; sessions by creation time. */
export function groupSessions(s, sessions) {
  const byComputer = new Map();
  const names = [...s.computers.values()]
    .sort((a, b) => (b.is_local - a.is_local) || a.name.localeCompare(b.name))
    .map((c) => c.name);
  for (const name of names) byComputer.set(name, new Map());
  for (const x of sessions) {
    if (!byComputer.has(x.computer)) byComputer.set(x.computer, new Map());
    const projects = byComputer.get(x.computer);
    const path = x.project_path ?? '';
    if (!projects.has(path)) projects.set(path, []);
    projects.get(path).push(x);
  }
  for (const projects of byComputer.values()) {
    for (const list of projects.values()) list.sort((a, b) => (Date.parse(a.created_at ?? 0) || 0) - (Date.parse(b.created_at ?? 0) || 0));
  }
  return byComputer;
}

/** The sessions in the order the current view shows them (for arrow keys). */
export function orderedSessions(s) {
  if (s.view === 'waiting') return waitingSessions(s);
  const out = [];
  for (const projects of groupSessions(s, visibleSessions(s)).values()) {
    for (const list of projects.values()) out.push(...list);
  }
  return out;
}

// The dashboard's entry point: renders the page, connects the hub, and maps telec's keys.
import { render } from 'preact';
import { state, setState, subscribe } from './store.js';
import { App, html } from './views.js';
import { startHub } from './hub.js';
import * as act from './actions.js';

if (location.hash === '#login-failed') {
  history.replaceState(null, '', '/');
  setState({ loginFailed: true });
}

render(html`<${App} />`, document.getElementById('app'));
startHub();

// While the transcript is shown, read on when the session reports activity (no polling).
let seen = null;
subscribe((s) => {
  const session = s.selected ? s.sessions.get(s.selected) : null;
  const mark = session ? `${session.session_id}|${session.last_activity}|${session.status}` : null;
  if (mark === seen) return;
  const changed = seen !== null && mark !== null && seen.split('|')[0] === session.session_id;
  seen = mark;
  if (changed && s.pane === 'transcript') act.loadTranscript();
});

const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || state.connection === 'signed-out') return;
  if (e.key === 'Escape') {
    if (state.dialog) return; // the dialog closes itself
    if (typing(document.activeElement)) {
      if (document.activeElement.id === 'filter') setState({ filter: '' });
      document.activeElement.blur();
    } else if (state.filter) setState({ filter: '' });
    else if (state.selected) act.closeDetail();
    return;
  }
  if (state.dialog || typing(document.activeElement)) return;

  const session = act.selectedSession();
  // On a waiting session its answer keys win (as in telec): y, n and its own keys (often digits).
  const choice = act.choiceForKey(session, e.key);
  if (choice) {
    e.preventDefault();
    act.answer(session, choice);
    return;
  }
  const handled = keyAction(e.key, session);
  if (handled) e.preventDefault();
});

function keyAction(key, session) {
  switch (key) {
    case '1': act.setView('sessions'); return true;
    case '2': act.setView('preparation'); return true;
    case '3': act.setView('waiting'); return true;
    case 'ArrowDown': act.move(1); return true;
    case 'ArrowUp': act.move(-1); return true;
    case 'Enter':
      if (!session) return false;
      document.getElementById('screen')?.focus();
      return true;
    case 'm':
      document.getElementById('reply')?.focus();
      return !!session;
    case 'w': act.jumpToWaiting(); return true;
    case 't': if (session) act.togglePane(); return !!session;
    case '/':
      if (state.view !== 'sessions') act.setView('sessions');
      requestAnimationFrame(() => document.getElementById('filter')?.focus());
      return true;
    case 'n': act.openDialog({ kind: 'new-session' }); return true;
    case 'k': if (session) act.endSession(session); return !!session;
    case 'a': act.openDialog({ kind: 'add-project' }); return true;
    case 'r': act.refreshView(); return true;
    case '?': act.openDialog({ kind: 'help' }); return true;
    default: return false;
  }
}

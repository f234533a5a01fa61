// Sign-in, new session, add project and the key help.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { setState } from './store.js';
import * as act from './actions.js';
import { api } from './api.js';

const html = htm.bind(h);

/** Shown while the daemon refuses this browser: how to sign in, and a box for the token. */
export function SignIn({ failed }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api.login(token.trim());
      location.replace('/');
    } catch (err) {
      setError(err.message);
    }
  };
  return html`
    <div class="signin" id="signin">
      <h1>TeleClaude</h1>
      ${failed && html`<p class="banner">That sign-in link is not valid any more (the token may have been rotated).</p>`}
      <p>This browser is not signed in to the daemon. On the daemon's computer, run</p>
      <pre>TeleClaude.Daemon web</pre>
      <p>and open the URL it prints (once: it leaves a cookie). Or paste the token (<code>TeleClaude.Daemon token show</code>):</p>
      <form onSubmit=${submit}>
        <input type="password" autocomplete="off" placeholder="token" value=${token} onInput=${(e) => setToken(e.currentTarget.value)} />
        <button class="primary" type="submit" disabled=${!token.trim()}>Sign in</button>
      </form>
      ${error && html`<p class="error">${error}</p>`}
    </div>`;
}

export function Dialogs({ s }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (s.dialog && !dialog.open) dialog.showModal();
    if (!s.dialog && dialog.open) dialog.close();
  }, [s.dialog]);
  return html`
    <dialog ref=${ref} onClose=${() => s.dialog && act.closeDialog()} id="dialog">
      ${s.dialog?.kind === 'new-session' && html`<${NewSession} s=${s} dialog=${s.dialog} />`}
      ${s.dialog?.kind === 'add-project' && html`<${AddProject} />`}
      ${s.dialog?.kind === 'help' && html`<${Help} />`}
    </dialog>`;
}

function NewSession({ s, dialog }) {
  const selected = s.selected ? s.sessions.get(s.selected) : null;
  const projects = s.projects.filter((p) => s.computers.get(p.project.computer)?.status !== 'offline');
  const initial = dialog.path ? `${dialog.computer}\u0000${dialog.path}`
    : selected?.project_path ? `${selected.computer}\u0000${selected.project_path}`
    : projects[0] ? `${projects[0].project.computer}\u0000${projects[0].project.path}` : '';
  const [project, setProject] = useState(initial);
  const [title, setTitle] = useState('');
  const [agent, setAgent] = useState('claude');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const [computer, path] = project.split('\u0000');
    const problem = await act.createSession({ project_path: path, title: title.trim(), agent: agent.trim() || 'claude', computer, message: message.trim() || null });
    if (problem) setError(problem);
  };
  return html`
    <form class="form" onSubmit=${submit} id="new-session">
      <h2>New session</h2>
      <label>Project
        <select value=${project} onChange=${(e) => setProject(e.currentTarget.value)} required>
          ${projects.map((p) => html`<option value=${`${p.project.computer}\u0000${p.project.path}`}>${p.project.computer} · ${p.project.name} (${p.project.path})</option>`)}
        </select>
      </label>
      ${projects.length === 0 && html`<p class="error">No project yet: add one on the preparation view (a).</p>`}
      <label>Title <input name="title" required maxlength="200" autofocus value=${title} onInput=${(e) => setTitle(e.currentTarget.value)} /></label>
      <label>Agent <input name="agent" list="agents" value=${agent} onInput=${(e) => setAgent(e.currentTarget.value)} /></label>
      <datalist id="agents"><option value="claude" /><option value="codex" /><option value="gemini" /></datalist>
      <label>First message (optional) <textarea name="message" rows="3" value=${message} onInput=${(e) => setMessage(e.currentTarget.value)}></textarea></label>
      ${error && html`<p class="error">${error}</p>`}
      <div class="buttons">
        <button type="button" onClick=${act.closeDialog}>Cancel</button>
        <button class="primary" type="submit" disabled=${!project || !title.trim()}>Start</button>
      </div>
    </form>`;
}

function AddProject() {
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const problem = await act.addProject(path.trim(), name.trim());
    if (problem) setError(problem);
  };
  return html`
    <form class="form" onSubmit=${submit} id="add-project">
      <h2>Add a project on this computer</h2>
      <label>Directory (absolute path) <input name="path" required autofocus value=${path} onInput=${(e) => setPath(e.currentTarget.value)} /></label>
      <label>Name (optional) <input name="name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      ${error && html`<p class="error">${error}</p>`}
      <div class="buttons">
        <button type="button" onClick=${act.closeDialog}>Cancel</button>
        <button class="primary" type="submit" disabled=${!path.trim()}>Add</button>
      </div>
    </form>`;
}

const keys = [
  ['1 2 3', 'views: sessions, preparation, needs you'],
  ['↑ ↓', 'select the previous / next session'],
  ['Enter', 'open the selected session (on a phone-sized screen)'],
  ['m', 'message the selected session (Enter sends, Shift+Enter or Ctrl+J new line)'],
  ['y n …', 'on a waiting session: answer (y its yes, n its no, or its own keys)'],
  ['w', 'jump to the session waiting longest'],
  ['t', 'switch between the screen and the transcript'],
  ['/', 'filter by title, project, agent or computer (Esc clears)'],
  ['n', 'new session (in the selected session\'s project)'],
  ['k', 'end the selected session (asks first)'],
  ['a', 'add a project on this computer'],
  ['r', 'refresh the current view'],
  ['Esc', 'close a dialog, clear the filter, leave the session'],
  ['?', 'this help'],
];

function Help() {
  return html`
    <div class="form" id="help">
      <h2>Keys</h2>
      <table>${keys.map(([k, what]) => html`<tr><td><kbd>${k}</kbd></td><td>${what}</td></tr>`)}</table>
      <div class="buttons">
        <button type="button" onClick=${() => api.logout().finally(() => location.replace('/'))}>Sign out</button>
        <button class="primary" type="button" onClick=${() => setState({ dialog: null })}>Close</button>
      </div>
    </div>`;
}

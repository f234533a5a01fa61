// The dashboard's views, as telec has them: sessions by computer and project, preparation (projects and todos), the
// sessions that need you; the selected session's screen or transcript, its question and a reply box.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { useStore, setState, visibleSessions, waitingSessions, groupSessions } from './store.js';
import * as act from './actions.js';
import { SignIn, Dialogs } from './dialogs.js';

export const html = htm.bind(h);

// ---- formatting ----

export function ago(iso, now = Date.now()) {
  const at = Date.parse(iso ?? '');
  if (!at) return 'unknown';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const clock = (d) => (d ? new Date(d).toLocaleTimeString([], { hour12: false }) : '');
const base = (path) => (path ? path.replace(/\/+$/, '').split('/').pop() || path : 'unknown project');
const plural = (n, one, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** Re-renders every second, for the ages. */
function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

// ---- the page ----

export function App() {
  const s = useStore();
  if (s.connection === 'signed-out') return html`<${SignIn} failed=${s.loginFailed} />`;
  const detail = s.selected && (s.view === 'sessions' || s.view === 'waiting');
  return html`
    <div class=${'app' + (detail ? ' with-detail' : '')}>
      <${Header} s=${s} />
      <main>
        <section class="list" aria-label="list">
          ${s.view === 'sessions' && html`<${SessionsView} s=${s} />`}
          ${s.view === 'waiting' && html`<${WaitingView} s=${s} />`}
          ${s.view === 'preparation' && html`<${PreparationView} s=${s} />`}
        </section>
        ${detail && html`<${Detail} s=${s} />`}
      </main>
      <${Footer} s=${s} />
      <${Dialogs} s=${s} />
    </div>`;
}

function Header({ s }) {
  const waiting = waitingSessions(s).length;
  const local = [...s.computers.values()].find((c) => c.is_local);
  const tab = (view, label, extra = '') => html`
    <button class=${'tab' + (s.view === view ? ' on' : '')} data-view=${view} onClick=${() => act.setView(view)}>${label}${extra}</button>`;
  return html`
    <header>
      <span class="brand">TeleClaude${local ? html` · <b>${local.name}</b>` : ''}</span>
      <nav>
        ${tab('sessions', '1 Sessions')}
        ${tab('preparation', '2 Preparation')}
        ${tab('waiting', '3 Needs you', html` <span class=${'count' + (waiting ? ' hot' : '')} id="need-count">${waiting}</span>`)}
      </nav>
      <span class="summary" id="summary">
        ${plural(s.computers.size, 'computer')} · ${plural(s.sessions.size, 'session')}${waiting ? html` · <b class="hot">${waiting} need${waiting === 1 ? 's' : ''} you</b>` : ''}
      </span>
      <span class="tools">
        <button title="Refresh (r)" onClick=${act.refreshView}>⟳</button>
        <button title="Keys (?)" onClick=${() => act.openDialog({ kind: 'help' })}>?</button>
      </span>
      <span class=${'conn ' + s.connection} id="conn" title=${s.connectionDetail}>${connectionText(s)}</span>
    </header>`;
}

function connectionText(s) {
  switch (s.connection) {
    case 'connected': return '● connected';
    case 'reconnecting': return '◌ reconnecting…';
    case 'offline': return `○ offline${s.connectionDetail ? ' · ' + s.connectionDetail : ''}`;
    default: return '◌ connecting…';
  }
}

function Footer({ s }) {
  const session = s.selected ? s.sessions.get(s.selected) : null;
  const keys = session?.status === 'waiting'
    ? 'y/n answer · m reply · k end · t transcript · ? help'
    : session ? 'm reply · k end · t transcript · w waiting · ? help' : '1 2 3 views · ↑↓ select · n new · / filter · r refresh · ? help';
  return html`
    <footer>
      <span class="outcome" id="footer">${s.footer}</span>
      <span class="keys">${keys}</span>
      <span class="updated">${s.lastUpdate ? 'last update ' + clock(s.lastUpdate) : ''}</span>
    </footer>`;
}

// ---- sessions ----

function Filter({ s }) {
  return html`
    <div class="filter">
      <input id="filter" type="search" placeholder="/ filter by title, project, agent or computer" value=${s.filter}
        onInput=${(e) => setState({ filter: e.currentTarget.value })} />
      <button class="primary" title="New session (n)" onClick=${() => act.openDialog({ kind: 'new-session' })}>+ New</button>
    </div>`;
}

function SessionsView({ s }) {
  const now = useNow();
  const grouped = groupSessions(s, visibleSessions(s));
  return html`
    <${Filter} s=${s} />
    ${[...grouped].map(([computer, projects]) => {
      const info = s.computers.get(computer);
      const count = [...projects.values()].reduce((n, l) => n + l.length, 0);
      return html`
        <div class="computer" key=${computer} data-computer=${computer}>
          <h2>
            <span class=${'dot ' + (info?.status ?? 'unknown')}></span>${computer}
            <small>${info?.is_local ? 'local' : info?.status ?? 'unknown'} · ${plural(count, 'session')}</small>
          </h2>
          ${[...projects].map(([path, list]) => html`
            <div class="project" key=${path}>
              <h3 title=${path}>${base(path)} <small>${path || ''}</small></h3>
              ${list.map((x) => html`<${SessionRow} key=${x.session_id} x=${x} s=${s} now=${now} />`)}
            </div>`)}
          ${count === 0 && html`<p class="empty">no sessions</p>`}
        </div>`;
    })}
    ${s.sessions.size === 0 && s.computers.size === 0 && html`<p class="empty">waiting for the daemon…</p>`}`;
}

function SessionRow({ x, s, now }) {
  const waiting = x.status === 'waiting';
  const activity = waiting ? `waits ${ago(x.waiting?.since ?? x.last_activity, now)}` : `active ${ago(x.last_activity, now)} ago`;
  const snippet = waiting ? `asks: ${x.waiting?.text ?? ''}` : x.last_input ? `in: ${x.last_input}` : x.last_output ? `out: ${lastLine(x.last_output)}` : '';
  return html`
    <div class=${'row' + (s.selected === x.session_id ? ' selected' : '') + (waiting ? ' waiting' : '')}
      data-session=${x.session_id} data-status=${x.status} onClick=${() => act.select(x.session_id)}>
      <span class="mark">${waiting ? '!' : ''}</span>
      <span class="title">${x.title ?? 'unknown'}</span>
      <span class="agent">${x.agent ?? 'unknown'}</span>
      <span class=${'status ' + x.status}>${x.status}</span>
      <span class="age" title=${x.created_at ?? ''}>${ago(x.created_at, now)} old</span>
      <span class="activity">${activity}</span>
      <span class="snippet">${snippet}</span>
    </div>`;
}

const lastLine = (text) => text.trimEnd().split('\n').filter((l) => l.trim()).at(-1) ?? '';

function WaitingView({ s }) {
  const now = useNow();
  const list = waitingSessions(s);
  return html`
    <h2 class="view-title">Needs you <small>${plural(list.length, 'session')} across every computer, the one waiting longest first</small></h2>
    ${list.length === 0 && html`<p class="empty">nobody waits for you</p>`}
    ${list.map((x) => html`
      <div key=${x.session_id}>
        <div class="where">${x.computer} · ${base(x.project_path)}</div>
        <${SessionRow} x=${x} s=${s} now=${now} />
      </div>`)}`;
}

// ---- preparation ----

function PreparationView({ s }) {
  const byComputer = new Map();
  for (const c of [...s.computers.values()].sort((a, b) => (b.is_local - a.is_local) || a.name.localeCompare(b.name))) byComputer.set(c.name, []);
  for (const p of s.projects) {
    if (!byComputer.has(p.project.computer)) byComputer.set(p.project.computer, []);
    byComputer.get(p.project.computer).push(p);
  }
  return html`
    <div class="filter">
      <span class="hint">Projects and their todos (todos/roadmap.md)</span>
      <button title="Add a project on this computer (a)" onClick=${() => act.openDialog({ kind: 'add-project' })}>+ Project</button>
    </div>
    ${[...byComputer].map(([computer, projects]) => html`
      <div class="computer" key=${computer}>
        <h2><span class=${'dot ' + (s.computers.get(computer)?.status ?? 'unknown')}></span>${computer} <small>${plural(projects.length, 'project')}</small></h2>
        ${projects.length === 0 && html`<p class="empty">no projects${s.computers.get(computer)?.is_local ? ': add one with + Project (a)' : ''}</p>`}
        ${projects.map((p) => html`
          <div class="project" key=${p.project.path} data-project=${p.project.path}>
            <h3 title=${p.project.path}>
              ${p.project.name} <small>${p.project.path} · ${plural(p.todos.length, 'todo')}${p.project.source === 'added' ? ' (added)' : ''}</small>
              <button class="small" title="New session here (n)"
                onClick=${() => act.openDialog({ kind: 'new-session', computer: p.project.computer, path: p.project.path })}>+ session</button>
            </h3>
            ${p.project.description && html`<p class="description">${p.project.description}</p>`}
            ${p.todos.map((t) => html`
              <div class="todo" key=${t.slug} data-todo=${t.slug}>
                <span class=${'todo-status ' + t.status}>${todoMark(t.status)}</span>
                <span class="slug">${t.slug}</span>
                <span class="flags">${t.has_requirements ? 'req ' : ''}${t.has_impl_plan ? 'plan' : ''}</span>
                <span class="snippet">${t.description}</span>
              </div>`)}
          </div>`)}
      </div>`)}`;
}

const todoMark = (status) => ({ pending: '[ ]', ready: '[.]', in_progress: '[>]' })[status] ?? status;

// ---- the selected session ----

function Detail({ s }) {
  const session = s.sessions.get(s.selected);
  const ended = s.ended === s.selected;
  if (!session && !ended) return null;
  const title = session?.title ?? s.screen?.session_id ?? s.selected;
  return html`
    <section class="detail" aria-label="session">
      <div class="detail-head">
        <button class="back" onClick=${act.closeDetail} title="Back to the list (Esc)">←</button>
        <div class="who">
          <b id="detail-title">${title}</b>
          ${session && html`<small>${session.computer} · ${session.project_path ?? 'unknown project'} · ${session.agent ?? 'unknown agent'} · <span class=${'status ' + session.status}>${session.status}</span></small>`}
        </div>
        ${session && html`<button class="danger" title="End the session (k)" onClick=${() => act.endSession(session)}>End</button>`}
      </div>
      ${ended && html`<div class="banner" id="ended">This session has ended; its last screen is kept below.</div>`}
      ${session?.status === 'waiting' && html`<${Question} session=${session} />`}
      <div class="pane-tabs">
        <button class=${s.pane === 'screen' ? 'on' : ''} onClick=${() => s.pane !== 'screen' && act.togglePane()}>Screen</button>
        <button class=${s.pane === 'transcript' ? 'on' : ''} onClick=${() => s.pane !== 'transcript' && act.togglePane()}>Transcript</button>
        <small>${s.pane === 'screen' && s.screen ? 'captured ' + clock(s.screen.captured_at) : ''}</small>
      </div>
      ${s.pane === 'screen' ? html`<${Screen} s=${s} session=${session} />` : html`<${Transcript} s=${s} />`}
      ${session && !ended && html`<${Reply} session=${session} />`}
    </section>`;
}

function Question({ session }) {
  const w = session.waiting;
  return html`
    <div class="question" id="question">
      <div class="asks">! ${w?.kind === 'permission' ? 'asks permission' : 'asks'}: <span>${w?.text ?? ''}</span></div>
      <div class="choices">
        ${(w?.choices ?? []).map((c) => html`
          <button class=${'choice ' + c.meaning} data-choice=${c.key} onClick=${() => act.answer(session, c)}>
            <kbd>${c.key}</kbd> ${c.label}
          </button>`)}
        ${(w?.choices ?? []).length === 0 && html`<small>no choices known yet: reply below</small>`}
      </div>
    </div>`;
}

function Screen({ s, session }) {
  const ref = useRef(null);
  const text = s.screen?.screen ?? session?.last_output ?? '';
  // Follow new output unless the person scrolled up to read.
  const follow = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return html`
    ${s.watchError && html`<div class="banner" id="watch-error">Live screen not available: ${s.watchError}${session?.last_output ? ' (showing the last output it reported)' : ''}</div>`}
    <pre class="screen" id="screen" ref=${ref} tabindex="0"
      onScroll=${(e) => { const el = e.currentTarget; follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4; }}>${text}</pre>`;
}

function Transcript({ s }) {
  const t = s.transcript?.session_id === s.selected ? s.transcript : null;
  if (!t) return html`<div class="transcript"><p class="empty">loading…</p></div>`;
  return html`
    <div class="transcript" id="transcript">
      ${t.error && html`<div class="banner">${t.error}</div>`}
      ${t.source === 'screen' && html`<p class="hint">No transcript for this session: its screen instead.</p>`}
      ${t.messages.map((m) => html`
        <div class=${'message ' + m.role} key=${m.cursor}>
          <span class="role">${m.role}</span><span class="at">${m.at ? clock(m.at) : ''}</span>
          <div class="text">${m.text}</div>
        </div>`)}
      ${t.messages.length === 0 && !t.error && html`<p class="empty">no messages yet</p>`}
    </div>`;
}

function Reply({ session }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    if (await act.reply(session, text)) setText('');
    setBusy(false);
  };
  const onKey = (e) => {
    // Enter sends; Shift+Enter or Ctrl+J starts a new line (as in telec).
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'j' && e.ctrlKey) {
      e.preventDefault();
      const el = e.currentTarget;
      const at = el.selectionStart;
      setText(el.value.slice(0, at) + '\n' + el.value.slice(el.selectionEnd));
      requestAnimationFrame(() => { el.selectionStart = el.selectionEnd = at + 1; });
    } else if (e.key === 'Escape') {
      e.currentTarget.blur();
    }
  };
  return html`
    <div class="reply">
      <textarea id="reply" rows="2" placeholder=${`m: message ${session.title ?? 'the agent'} (Enter sends, Shift+Enter new line)`}
        value=${text} onInput=${(e) => setText(e.currentTarget.value)} onKeyDown=${onKey} disabled=${busy}></textarea>
      <button class="primary" onClick=${send} disabled=${busy || !text.trim()}>Send</button>
    </div>`;
}

// The status panel: live over Server-Sent Events (/api/v1/events); when the server turns the stream away
// (too many panels open) or the browser has no EventSource, it polls /api/v1/status instead.
'use strict';

(() => {
  const { el, clear, setText, showError, getJson, number, duration, bytes, time } = J;
  let pollTimer = null;
  let refreshSeconds = 5;

  function render(s) {
    showError('');
    setText('jobs-queued', number(s.jobs.queued));
    setText('jobs-running', number(s.jobs.running));
    setText('tracks-done', number(s.tracks.done));
    setText('tracks-failed', number(s.tracks.failed));
    setText('tracks-running', number(s.tracks.running));
    setText('tracks-pending', number(s.tracks.pending));
    setText('frames-done', number(s.frames.done));
    setText('frames-total', number(s.frames.total));
    setText('frames-percent', s.frames.percentDone.toFixed(1) + ' %');
    const progress = document.getElementById('frames-progress');
    progress.max = Math.max(1, s.frames.total);
    progress.value = s.frames.done;
    setText('frames-failed', number(s.frames.failed));
    setText('fps', s.framesPerSecond.toLocaleString('en-US', { maximumFractionDigits: 2 }));
    setText('eta', s.etaSeconds === null ? '– (nothing done in the last hour)' : duration(s.etaSeconds));
    setText('snapshot-at', time(s.at));

    const live = s.runs.filter((r) => r.reporting);
    const main = live[0] || s.runs[0];
    if (main) {
      setText('workspace', bytes(main.workspaceUsedBytes) + ' of '
        + (main.workspaceBudgetBytes > 0 ? bytes(main.workspaceBudgetBytes) : 'no budget')
        + (main.workspaceBudgetBytes > 0 ? ' (' + (100 * main.workspaceUsedBytes / main.workspaceBudgetBytes).toFixed(0) + ' %)' : ''));
      setText('staging', number(main.videosStaging));
      const down = s.runs.map((r) => r.clusterUnavailableSince).filter((t) => t);
      setText('cluster', down.length ? 'unreachable since ' + time(down[0]) : 'reachable');
    } else {
      setText('workspace', '– (no juggler has reported)');
      setText('staging', '–');
      setText('cluster', '– (no juggler has reported)');
    }
    setText('next-update', main && main.reporting ? time(main.nextTick) : time(s.console.nextRefresh));
    refreshSeconds = s.console.refreshSeconds || refreshSeconds;

    const problems = clear(document.getElementById('problems'));
    for (const r of s.runs) {
      for (const p of r.problems) problems.append(el('li', {}, (s.runs.length > 1 ? r.run + ': ' : '') + p));
      if (!r.reporting) problems.append(el('li', {}, 'juggler ' + r.run + ' has not reported since ' + time(r.reportedAt)));
    }
    document.getElementById('no-problems').classList.toggle('hidden', problems.childElementCount > 0);

    const body = clear(document.querySelector('#runs tbody'));
    for (const r of s.runs) {
      body.append(el('tr', {},
        el('td', { class: 'mono' }, r.run),
        el('td', {}, r.reporting ? 'yes' : 'no'),
        el('td', {}, time(r.reportedAt)),
        el('td', {}, time(r.nextTick)),
        el('td', { class: 'num' }, number(r.jobsPending)),
        el('td', { class: 'num' }, number(r.jobsRunning)),
        el('td', {}, bytes(r.workspaceUsedBytes) + (r.workspaceBudgetBytes > 0 ? ' / ' + bytes(r.workspaceBudgetBytes) : '')),
        el('td', {}, r.clusterUnavailableSince ? time(r.clusterUnavailableSince) : '–')));
    }
    document.getElementById('runs').classList.toggle('hidden', s.runs.length === 0);
    document.getElementById('no-runs').classList.toggle('hidden', s.runs.length > 0);
  }

  async function refresh() {
    try {
      render(await getJson('/api/v1/status'));
    } catch (e) {
      showError('Cannot read the status: ' + e.message);
    }
  }

  function setLive(state, text) {
    const live = document.getElementById('live');
    live.classList.remove('on', 'polling');
    if (state) live.classList.add(state);
    live.textContent = text;
  }

  function poll() {
    if (pollTimer) return;
    setLive('polling', 'polling every ' + refreshSeconds + ' s');
    refresh();
    pollTimer = setInterval(refresh, refreshSeconds * 1000);
  }

  function connect() {
    if (!window.EventSource) { poll(); return; }
    const events = new EventSource('/api/v1/events');
    events.addEventListener('open', () => setLive('on', 'live'));
    events.addEventListener('status', (e) => { setLive('on', 'live'); render(JSON.parse(e.data)); });
    events.addEventListener('unavailable', (e) => showError(JSON.parse(e.data).error));
    events.addEventListener('error', () => {
      // CLOSED: the server refused the stream (503 when too many panels are open, 401 after a logout);
      // CONNECTING: the browser retries by itself.
      if (events.readyState === EventSource.CLOSED) {
        events.close();
        poll();
      } else {
        setLive('', 'reconnecting…');
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('refresh-now').addEventListener('click', refresh);
    connect();
  });
})();

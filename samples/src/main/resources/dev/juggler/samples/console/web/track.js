// A track's detail: its coverage bar (frames by state, drawn as SVG), its ranges and its attempt history.
'use strict';

(() => {
  const { el, clear, setText, showError, getJson, number, time, stateBadge } = J;
  const WIDTH = 1000;

  function coverage(detail) {
    const from = detail.track.range.from;
    const length = Math.max(1, detail.track.range.to - from);
    const svg = el('svg', { class: 'coverage', viewBox: '0 0 ' + WIDTH + ' 20', preserveAspectRatio: 'none', role: 'img',
      'aria-label': 'coverage of frames ' + detail.track.range.from + ' to ' + detail.track.range.to });
    for (const s of detail.coverage) {
      const x = (s.from - from) / length * WIDTH;
      // At least a sliver, so a one-frame failure in a million frames is still visible.
      const w = Math.max(0.75, (s.to - s.from) / length * WIDTH);
      svg.append(el('rect', { x: x.toFixed(3), y: 0, width: w.toFixed(3), height: 20, class: 'seg-' + s.state, 'data-state': s.state },
        el('title', {}, s.state.toLowerCase() + ': frames ' + number(s.from) + '–' + number(s.to) + ' (' + number(s.to - s.from) + ')')));
    }
    clear(document.getElementById('coverage-box')).append(svg);
  }

  function render(d) {
    const t = d.track;
    setText('title', 'Track ' + t.trackId);
    document.title = 'Juggler · Track ' + t.trackId;
    const video = clear(document.getElementById('video'));
    video.append(el('a', { href: '/tracks?video=' + encodeURIComponent(t.videoId), class: 'mono' }, t.videoId));
    setText('analysis', t.analysis);
    clear(document.getElementById('state')).append(stateBadge(t.state === 'LEASED' ? 'RUNNING' : t.state));
    setText('frames', number(t.range.from) + ' – ' + number(t.range.to) + ' (' + number(t.range.to - t.range.from) + ' frames)');
    setText('counts', number(t.framesDone) + ' / ' + number(t.framesFailed) + ' / ' + number(t.framesLeased));
    setText('priority', t.priority);
    const tags = clear(document.getElementById('tags'));
    for (const [k, v] of Object.entries(d.tags)) tags.append(el('span', { class: 'tag' }, k + '=' + v));
    if (!Object.keys(d.tags).length) tags.append(el('span', { class: 'muted' }, 'none'));
    coverage(d);

    const ranges = clear(document.querySelector('#ranges tbody'));
    for (const c of d.chunks) {
      ranges.append(el('tr', { 'data-state': c.state },
        el('td', { class: 'num' }, c.chunkId),
        el('td', {}, stateBadge(c.state)),
        el('td', { class: 'num' }, number(c.range.from)),
        el('td', { class: 'num' }, number(c.range.to)),
        el('td', { class: 'num' }, number(c.range.to - c.range.from)),
        el('td', { class: 'num' }, c.attempts),
        el('td', { class: 'mono' }, c.jobId || ''),
        el('td', { class: 'wrap' }, c.failureReason || ''),
        el('td', {}, time(c.updatedAt))));
    }
    document.getElementById('truncated').classList.toggle('hidden', !d.chunksTruncated);
    document.getElementById('failed-hint').classList.toggle('hidden', !d.chunks.some((c) => c.state === 'FAILED'));

    const history = clear(document.querySelector('#history tbody'));
    for (const e of d.history) {
      history.append(el('tr', {},
        el('td', {}, time(e.at)),
        el('td', {}, e.kind.toLowerCase().replace('_', ' ')),
        el('td', { class: 'num' }, number(e.range.from)),
        el('td', { class: 'num' }, number(e.range.to)),
        el('td', { class: 'num' }, e.attempt),
        el('td', { class: 'mono' }, e.jobId || ''),
        el('td', { class: 'wrap' }, e.reason || '')));
    }
    document.getElementById('history').classList.toggle('hidden', d.history.length === 0);
    document.getElementById('no-history').classList.toggle('hidden', d.history.length > 0);
  }

  document.addEventListener('DOMContentLoaded', async () => {
    const id = new URLSearchParams(location.search).get('id');
    if (!id || !/^\d+$/.test(id)) {
      showError('Which track? Open a track from the tracks table.');
      return;
    }
    try {
      render(await getJson('/api/v1/track/' + encodeURIComponent(id)));
    } catch (e) {
      showError(e.message);
    }
  });
})();

// The throughput chart: frames/s (area, left axis) and jobs running (line, right axis) over the last
// 24 hours or 7 days, drawn as inline SVG by this script (no chart library, nothing loaded from elsewhere).
'use strict';

(() => {
  const { el, clear, setText, showError, getJson, number, time } = J;
  const H = 340, L = 64, R = 56, T = 30, B = 40;

  function nice(max) {
    if (!(max > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(max)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
    return 10 * p;
  }
  const pad = (n) => String(n).padStart(2, '0');

  function chart(data) {
    // Drawn at the box's own width, so that one unit is one pixel and the text keeps its size.
    const W = Math.max(600, document.getElementById('chart-box').clientWidth || 1000);
    const from = Date.parse(data.from), to = Date.parse(data.to), span = Math.max(1, to - from);
    const bucket = data.bucketSeconds * 1000;
    const x = (ms) => L + (ms - from) / span * (W - L - R);
    const fpsMax = nice(Math.max(0, ...data.points.map((p) => p.framesPerSecond)));
    const jobsMax = nice(Math.max(0, ...data.points.map((p) => p.jobsRunning)));
    const yF = (v) => H - B - v / fpsMax * (H - T - B);
    const yJ = (v) => H - B - v / jobsMax * (H - T - B);
    const svg = el('svg', { class: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'throughput chart' });
    for (let i = 0; i <= 5; i++) {
      const y = T + i * (H - T - B) / 5;
      svg.append(el('line', { class: 'grid', x1: L, x2: W - R, y1: y, y2: y }));
      svg.append(el('text', { class: 'axis', x: L - 8, y: y + 4, 'text-anchor': 'end' },
        (fpsMax * (5 - i) / 5).toLocaleString('en-US', { maximumFractionDigits: 2 })));
      svg.append(el('text', { class: 'axis', x: W - R + 8, y: y + 4 }, String(Math.round(jobsMax * (5 - i) / 5 * 10) / 10)));
    }
    svg.append(el('text', { class: 'axis', x: L, y: T - 12, 'text-anchor': 'middle' }, 'frames/s'));
    svg.append(el('text', { class: 'axis', x: W - R, y: T - 12, 'text-anchor': 'middle' }, 'jobs'));
    const hours = data.range === '7d' ? 24 : 3;
    const step = hours * 3600 * 1000;
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
      const d = new Date(t);
      const label = data.range === '7d' ? pad(d.getMonth() + 1) + '-' + pad(d.getDate()) : pad(d.getHours()) + ':' + pad(d.getMinutes());
      svg.append(el('line', { class: 'grid', x1: x(t), x2: x(t), y1: T, y2: H - B }));
      svg.append(el('text', { class: 'axis', x: x(t), y: H - B + 18, 'text-anchor': 'middle' }, label));
    }
    if (data.points.length) {
      const mid = (p) => Date.parse(p.start) + bucket / 2;
      const line = data.points.map((p, i) => (i ? 'L' : 'M') + x(mid(p)).toFixed(1) + ' ' + yF(p.framesPerSecond).toFixed(1)).join(' ');
      const first = data.points[0], lastPoint = data.points[data.points.length - 1];
      svg.append(el('path', { class: 'fps-area', d: line + ' L' + x(mid(lastPoint)).toFixed(1) + ' ' + (H - B) + ' L' + x(mid(first)).toFixed(1) + ' ' + (H - B) + ' Z' }));
      svg.append(el('path', { class: 'fps-line', d: line }));
      const steps = data.points.map((p, i) => (i ? 'L' : 'M') + x(Date.parse(p.start)).toFixed(1) + ' ' + yJ(p.jobsRunning).toFixed(1)
        + ' L' + x(Date.parse(p.start) + bucket).toFixed(1) + ' ' + yJ(p.jobsRunning).toFixed(1)).join(' ');
      svg.append(el('path', { class: 'jobs-line', d: steps }));
      for (const p of data.points) {
        const s = Date.parse(p.start);
        svg.append(el('rect', { class: 'hit', x: x(s).toFixed(1), y: T, width: Math.max(1, x(s + bucket) - x(s)).toFixed(1), height: H - T - B },
          el('title', {}, time(p.start) + ': ' + p.framesPerSecond.toLocaleString('en-US', { maximumFractionDigits: 2 })
            + ' frames/s, ' + number(p.framesDone) + ' frames, ' + p.jobsRunning + ' jobs running')));
      }
    }
    clear(document.getElementById('chart-box')).append(svg);
    const total = data.points.reduce((a, p) => a + p.framesDone, 0);
    const peak = Math.max(0, ...data.points.map((p) => p.framesPerSecond));
    setText('summary', number(total) + ' frames done; peak ' + peak.toLocaleString('en-US', { maximumFractionDigits: 2 }) + ' frames/s');
  }

  document.addEventListener('DOMContentLoaded', async () => {
    const range = new URLSearchParams(location.search).get('range') || '24h';
    const active = document.getElementById('r-' + range);
    if (active) active.classList.add('active');
    try {
      chart(await getJson('/api/v1/throughput?range=' + encodeURIComponent(range)));
    } catch (e) {
      showError(e.message);
    }
  });
})();

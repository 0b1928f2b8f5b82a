// The track, job and chunk tables. The server filters, sorts and pages; everything that makes up the view
// (filters, sort, page, columns) lives in the URL's query string, so a view can be bookmarked and shared.
'use strict';

(() => {
  const { el, clear, setText, showError, getJson, number, stateBadge, trackLink } = J;
  const kind = location.pathname.replace(/^\//, '');
  document.body.setAttribute('data-nav', kind);
  const STATES = {
    tracks: ['PENDING', 'RUNNING', 'DONE', 'FAILED'],
    chunks: ['PENDING', 'LEASED', 'DONE', 'FAILED'],
    jobs: ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAILURE', 'PREEMPTED', 'OUT_OF_MEMORY', 'GONE']
  };
  const FILTERS = ['state', 'analysis', 'video', 'track', 'run', 'tag', 'reason', 'since', 'until'];
  let last = null;

  const params = () => new URLSearchParams(location.search);

  function go(next, replace) {
    const qs = next.toString();
    const url = location.pathname + (qs ? '?' + qs : '');
    if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
    load();
  }

  function setupForm() {
    const title = kind.charAt(0).toUpperCase() + kind.slice(1);
    setText('title', title);
    document.title = 'Juggler · ' + title;
    for (const label of document.querySelectorAll('#filters label[data-keys]')) {
      label.classList.toggle('hidden', !label.getAttribute('data-keys').split(' ').includes(kind));
    }
    const state = document.getElementById('f-state');
    state.append(el('option', { value: '' }, 'any'));
    for (const s of STATES[kind]) state.append(el('option', { value: s }, s));
    document.getElementById('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      const next = params();
      // The form edits the first tag of the view; further ones (from a shared URL) are kept.
      const moreTags = next.getAll('tag').slice(1);
      for (const key of FILTERS) next.delete(key);
      next.delete('offset');
      for (const key of FILTERS) {
        const input = document.querySelector('#filters [name="' + key + '"]');
        if (input && !input.closest('label').classList.contains('hidden') && input.value.trim() !== '') {
          next.append(key, input.value.trim());
        }
      }
      for (const tag of moreTags) next.append('tag', tag);
      go(next);
    });
    document.getElementById('reset').addEventListener('click', () => go(new URLSearchParams()));
    document.getElementById('prev').addEventListener('click', () => page(-1));
    document.getElementById('next').addEventListener('click', () => page(1));
    document.getElementById('limit').addEventListener('change', (e) => {
      const next = params();
      next.set('limit', e.target.value);
      next.delete('offset');
      go(next);
    });
    window.addEventListener('popstate', load);
  }

  function fillForm() {
    const p = params();
    for (const key of FILTERS) {
      const input = document.querySelector('#filters [name="' + key + '"]');
      if (input) input.value = p.get(key) || '';
    }
  }

  function page(direction) {
    if (!last) return;
    const next = params();
    const offset = Math.max(0, last.offset + direction * last.limit);
    if (offset === 0) next.delete('offset'); else next.set('offset', String(offset));
    go(next);
  }

  function sortBy(key) {
    const next = params();
    const current = last ? last.sort : '';
    next.set('sort', current === key ? '-' + key : key);
    next.delete('offset');
    go(next);
  }

  async function chooser(page) {
    const box = clear(document.getElementById('chooser'));
    const shown = page.columns.map((c) => c.key);
    const all = page.allColumns.map((c) => ({ key: c.key, title: c.title }));
    if (kind !== 'jobs') {
      try {
        const tags = await getJson('/api/v1/tagkeys');
        for (const t of tags.tagKeys) all.push({ key: 'tag:' + t, title: 'tag: ' + t });
      } catch (e) { /* the table works without tag columns */ }
    }
    for (const c of shown) {
      if (!all.some((a) => a.key === c)) all.push({ key: c, title: c });
    }
    for (const c of all) {
      box.append(el('label', {}, el('input', { type: 'checkbox', value: c.key, checked: shown.includes(c.key) }), ' ', c.title));
    }
    const apply = el('button', { type: 'button', class: 'primary', id: 'apply-columns' }, 'Apply');
    apply.addEventListener('click', () => {
      const chosen = [...box.querySelectorAll('input:checked')].map((i) => i.value);
      const next = params();
      if (chosen.length) next.set('columns', chosen.join(',')); else next.delete('columns');
      document.getElementById('columns').open = false;
      go(next);
    });
    box.append(el('div', {}, apply));
  }

  function cell(column, value) {
    const attrs = { class: column.numeric ? 'num' : (column.key === 'reason' ? 'wrap' : '') };
    if (value === '') return el('td', attrs);
    if (column.key === 'track' && kind !== 'jobs') return el('td', attrs, trackLink(value));
    if (column.key === 'state') return el('td', attrs, stateBadge(value));
    if (column.numeric) return el('td', attrs, number(value));
    if (['updated', 'expires', 'submitted', 'ended', 'settled'].includes(column.key)) return el('td', attrs, J.time(value));
    return el('td', attrs, value);
  }

  function render(page) {
    last = page;
    const head = clear(document.querySelector('#table thead'));
    const row = el('tr');
    for (const c of page.columns) {
      const th = el('th', { class: c.numeric ? 'num' : '', 'data-key': c.key });
      if (c.sortable) {
        const arrow = page.sort === c.key ? ' ▲' : (page.sort === '-' + c.key ? ' ▼' : '');
        const button = el('button', { type: 'button', title: 'Sort by ' + c.title }, c.title + arrow);
        button.addEventListener('click', () => sortBy(c.key));
        th.append(button);
      } else {
        th.append(c.title);
      }
      row.append(th);
    }
    head.append(row);
    const body = clear(document.querySelector('#table tbody'));
    for (const r of page.rows) {
      body.append(el('tr', {}, page.columns.map((c, i) => cell(c, r[i]))));
    }
    if (page.rows.length === 0) {
      body.append(el('tr', {}, el('td', { colspan: page.columns.length, class: 'muted' }, 'No rows match.')));
    }
    const first = page.rows.length ? page.offset + 1 : 0;
    // Counting stops at countLimit: beyond it the total is a lower bound and a full page means more may follow.
    const total = page.totalIsLowerBound ? 'more than ' + number(page.countLimit) : number(page.total);
    setText('count', number(first) + '–' + number(page.offset + page.rows.length) + ' of ' + total + ' ' + kind);
    document.getElementById('prev').disabled = page.offset === 0;
    document.getElementById('next').disabled = page.nextOffset === null;
    document.getElementById('limit').value = String(page.limit);
    if (document.getElementById('limit').value !== String(page.limit)) {
      document.getElementById('limit').append(el('option', {}, String(page.limit)));
      document.getElementById('limit').value = String(page.limit);
    }
    const csv = params();
    csv.delete('offset');
    csv.delete('limit');
    document.getElementById('csv').setAttribute('href', '/api/v1/' + kind + '.csv' + (csv.toString() ? '?' + csv : ''));
    chooser(page);
  }

  async function load() {
    fillForm();
    try {
      showError('');
      render(await getJson('/api/v1/' + kind + location.search));
    } catch (e) {
      showError(e.message);
      clear(document.querySelector('#table tbody'));
      setText('count', '');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    setupForm();
    load();
  });
})();

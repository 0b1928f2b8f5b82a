// Shared helpers of the console's pages. Every value that comes from data goes into the page through
// textContent or setAttribute (never innerHTML), so a video id like <img src=x onerror=alert(1)> is text.
'use strict';

const J = (() => {
  const meta = (name) => {
    const m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : '';
  };
  const csrf = meta('juggler-csrf');
  const readOnly = meta('juggler-read-only') === 'true';

  /** Builds an element: attrs are set with setAttribute (class via 'class'); children are nodes or text. */
  function el(tag, attrs, ...children) {
    const svg = ['svg', 'rect', 'path', 'line', 'text', 'g', 'title', 'polyline', 'circle'].includes(tag);
    const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function setText(id, text) {
    const node = document.getElementById(id);
    if (node) node.textContent = text === null || text === undefined ? '' : String(text);
  }

  function showError(message) {
    const box = document.getElementById('error');
    if (box) box.textContent = message || '';
  }

  function loginAgain() {
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
  }

  async function answer(response) {
    if (response.status === 401) {
      loginAgain();
      throw new Error('not logged in');
    }
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
    return body;
  }

  async function getJson(url) {
    return answer(await fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } }));
  }

  async function postJson(url, body) {
    return answer(await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Juggler-CSRF': csrf },
      body: JSON.stringify(body)
    }));
  }

  const number = (n) => (n === null || n === undefined || n === '') ? '–' : Number(n).toLocaleString('en-US');

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    let s = Math.max(0, Math.round(seconds));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d > 0) return d + ' d ' + h + ' h';
    if (h > 0) return h + ' h ' + m + ' min';
    if (m > 0) return m + ' min ' + s + ' s';
    return s + ' s';
  }

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let v = Number(n); let i = 0;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }

  const pad = (n) => String(n).padStart(2, '0');
  /** An ISO instant as local "YYYY-MM-DD HH:MM:SS" (the operator's clock). */
  function time(iso) {
    if (!iso) return '–';
    const t = new Date(iso);
    if (isNaN(t)) return String(iso);
    return t.getFullYear() + '-' + pad(t.getMonth() + 1) + '-' + pad(t.getDate()) + ' '
      + pad(t.getHours()) + ':' + pad(t.getMinutes()) + ':' + pad(t.getSeconds());
  }

  function stateBadge(state) {
    return el('span', { class: 'state ' + String(state).replace(/[^A-Z_]/g, '') }, state);
  }

  function trackLink(id) {
    return el('a', { href: '/track?id=' + encodeURIComponent(id) }, String(id));
  }

  document.addEventListener('DOMContentLoaded', () => {
    const page = document.body.getAttribute('data-nav');
    for (const a of document.querySelectorAll('.topbar nav a')) {
      if (a.getAttribute('data-nav') === page) a.classList.add('active');
    }
    const mode = document.getElementById('mode');
    if (mode && readOnly) mode.textContent = 'read-only';
    for (const node of document.querySelectorAll('.write')) {
      if (readOnly) node.classList.add('hidden');
    }
  });

  return { el, clear, setText, showError, getJson, postJson, number, duration, bytes, time, stateBadge, trackLink, readOnly };
})();

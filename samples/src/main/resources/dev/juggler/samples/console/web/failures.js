// Failure groups and their re-scheduling: a dry run counts first, then Confirm acts, then the result shows
// "matched X / rescheduled Y / skipped Z". A read-only console hides the buttons (and the server refuses anyway).
'use strict';

(() => {
  const { el, clear, setText, showError, getJson, postJson, number, time, trackLink, readOnly } = J;
  let current = null;

  function summary(o) {
    return 'matched ' + number(o.matched) + ' / rescheduled ' + number(o.rescheduled) + ' / skipped ' + number(o.skipped);
  }

  async function open(group) {
    current = group;
    const dialog = document.getElementById('dialog');
    setText('dialog-title', 'Re-schedule failure group ' + group.id);
    setText('dialog-pattern', group.pattern);
    setText('dialog-count', 'Counting…');
    setText('dialog-result', '');
    const confirm = document.getElementById('dialog-confirm');
    confirm.disabled = true;
    confirm.classList.remove('hidden');
    setText('dialog-cancel', 'Cancel');
    dialog.showModal();
    try {
      const dry = await postJson('/api/v1/reschedule', { group: group.id, dryRun: true });
      const would = dry.matched - dry.skipped;
      setText('dialog-count', number(would) + ' failed range' + (would === 1 ? '' : 's') + ' (' + number(dry.frames)
        + ' frames) would go back to pending' + (dry.skipped ? '; ' + number(dry.skipped) + ' set aside would be skipped' : '') + '.');
      confirm.disabled = would <= 0;
    } catch (e) {
      setText('dialog-count', 'Cannot count: ' + e.message);
    }
  }

  async function confirmReschedule() {
    const confirm = document.getElementById('dialog-confirm');
    confirm.disabled = true;
    try {
      const done = await postJson('/api/v1/reschedule', { group: current.id, dryRun: false });
      setText('dialog-result', summary(done));
      setText('last-result', 'Group ' + current.id + ': ' + summary(done));
      confirm.classList.add('hidden');
      setText('dialog-cancel', 'Close');
      load();
    } catch (e) {
      setText('dialog-result', 'Refused: ' + e.message);
    }
  }

  function render(groups) {
    const body = clear(document.querySelector('#groups tbody'));
    groups.forEach((g, i) => {
      const examples = el('td', {});
      g.exampleTracks.forEach((id, j) => { if (j) examples.append(', '); examples.append(trackLink(id)); });
      const action = el('td', { class: 'write' + (readOnly ? ' hidden' : '') });
      if (!readOnly) {
        const button = el('button', { type: 'button', class: 'primary', 'data-group': g.id }, 'Re-schedule…');
        button.addEventListener('click', () => open(g));
        action.append(button);
      }
      body.append(el('tr', { 'data-group': g.id },
        el('td', { class: 'num' }, i + 1),
        el('td', { class: 'wrap mono' }, g.pattern),
        el('td', { class: 'num' }, number(g.chunks)),
        el('td', { class: 'num' }, number(g.frames)),
        el('td', { class: 'num' }, number(g.tracks)),
        el('td', {}, time(g.firstSeen)),
        el('td', {}, time(g.lastSeen)),
        examples,
        action));
    });
    document.getElementById('groups').classList.toggle('hidden', groups.length === 0);
    document.getElementById('no-groups').classList.toggle('hidden', groups.length > 0);
  }

  async function load() {
    try {
      render((await getJson('/api/v1/failures')).groups);
    } catch (e) {
      showError(e.message);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('dialog-cancel').addEventListener('click', () => document.getElementById('dialog').close());
    document.getElementById('dialog-confirm').addEventListener('click', confirmReschedule);
    load();
  });
})();

// The login page: carries the page that asked for the login along, and says when a token was wrong.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const params = new URLSearchParams(location.search);
  const next = params.get('next');
  if (next && next.startsWith('/') && !next.startsWith('//')) document.getElementById('next').value = next;
  if (params.get('failed')) document.getElementById('error').textContent = 'That token is not right.';
});

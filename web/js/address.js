// Address autocomplete (GET /api/v1/addresses) as an accessible combobox
// (ARIA 1.2 pattern: input role=combobox + listbox; arrows, Enter, Escape;
// tap or click to choose), and the nearest known address of a pin
// (GET /api/v1/addresses/nearest).
import { api } from './api.js';
import { el } from './common.js';
import { t } from './i18n.js';

const MIN = 2;
const MAX = 100;
const LIMIT = 8;
const DELAY_MS = 120;

// The nearest known address within 300 m of a point, or null.
export async function nearestAddress(lat, lon) {
  try {
    const r = await api(`/api/v1/addresses/nearest?lat=${encodeURIComponent(lat)}&lon=${encodeURIComponent(lon)}`);
    return r.ok && r.data ? r.data : null;
  } catch {
    return null;
  }
}

// One combobox: its elements and state.
function make(input, onChoose) {
  const id = input.id + '-suggestions';
  const c = {
    input, onChoose, id, items: [], active: -1, seq: 0, timer: null,
    list: el('ul', { id, class: 'ac-list', role: 'listbox', hidden: true }),
    status: el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }),
  };
  const box = el('div', { class: 'ac' });
  input.parentNode.insertBefore(box, input);
  box.append(input, c.list, c.status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', id);
  input.setAttribute('autocomplete', 'off');
  return c;
}

function close(c) {
  c.list.hidden = true;
  c.input.setAttribute('aria-expanded', 'false');
  c.input.removeAttribute('aria-activedescendant');
  c.active = -1;
}

function highlight(c, i) {
  c.active = i;
  c.list.querySelectorAll('[role="option"]').forEach((li, j) => {
    li.setAttribute('aria-selected', j === i ? 'true' : 'false');
    if (j === i) {
      c.input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  });
  if (i < 0) c.input.removeAttribute('aria-activedescendant');
}

function choose(c, i) {
  const s = c.items[i];
  if (!s) return;
  c.input.value = s.label_uk;
  close(c);
  c.status.textContent = t('address.chosen', { label: s.label_uk });
  if (c.onChoose) c.onChoose(s);
}

function option(c, s, i) {
  return el('li', {
    id: `${c.id}-${i}`, role: 'option', class: 'ac-option', 'aria-selected': 'false',
    onmousedown: (e) => e.preventDefault(), // keep the focus in the field
    onclick: () => choose(c, i),
  }, el('span', { class: 'ac-label', text: s.label_uk }),
  s.label_uk_old ? el('span', { class: 'ac-old', text: ' ' + s.label_uk_old }) : null);
}

function render(c) {
  c.list.replaceChildren(...c.items.map((s, i) => option(c, s, i)));
  c.active = -1;
  if (!c.items.length) {
    close(c);
    c.status.textContent = t('address.none');
    return;
  }
  c.list.hidden = false;
  c.input.setAttribute('aria-expanded', 'true');
  c.status.textContent = t('address.count', { n: c.items.length });
}

async function lookup(c) {
  const q = c.input.value.trim();
  const mine = ++c.seq;
  const n = [...q].length;
  if (n < MIN || n > MAX) {
    c.items = [];
    close(c);
    return;
  }
  let r;
  try {
    r = await api(`/api/v1/addresses?q=${encodeURIComponent(q)}&limit=${LIMIT}`);
  } catch {
    return; // offline: the field stays a free text
  }
  if (mine !== c.seq || document.activeElement !== c.input) return; // stale, or the field was left
  c.items = r.ok && r.data && Array.isArray(r.data.suggestions) ? r.data.suggestions : [];
  render(c);
}

function onKey(c, e) {
  const open = !c.list.hidden && c.items.length > 0;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    if (!open) {
      if (c.items.length) render(c);
      else lookup(c);
      return;
    }
    let next = c.active + (e.key === 'ArrowDown' ? 1 : -1); // cycles through the options and the field
    if (next >= c.items.length) next = -1;
    else if (next < -1) next = c.items.length - 1;
    highlight(c, next);
  } else if (e.key === 'Enter' && open && c.active >= 0) {
    e.preventDefault(); // choose, do not submit the form
    choose(c, c.active);
  } else if (e.key === 'Escape' && open) {
    e.preventDefault();
    close(c);
  } else if (e.key === 'Tab') {
    close(c);
  }
}

// Wires the combobox on `input`. onChoose(suggestion) runs after the
// chosen label is put into the field.
export function addressAutocomplete(input, { onChoose } = {}) {
  const c = make(input, onChoose);
  input.addEventListener('input', () => {
    clearTimeout(c.timer);
    c.timer = setTimeout(() => lookup(c), DELAY_MS);
  });
  input.addEventListener('keydown', (e) => onKey(c, e));
  input.addEventListener('blur', () => setTimeout(() => close(c), 150));
  return { close: () => close(c) };
}

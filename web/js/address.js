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

// Wires the combobox on `input`. onChoose(suggestion) runs after the
// chosen label is put into the field.
export function addressAutocomplete(input, { onChoose } = {}) {
  const id = input.id + '-suggestions';
  const list = el('ul', { id, class: 'ac-list', role: 'listbox', hidden: true });
  const status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const box = el('div', { class: 'ac' });
  input.parentNode.insertBefore(box, input);
  box.append(input, list, status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', id);
  input.setAttribute('autocomplete', 'off');

  let items = [];
  let active = -1;
  let seq = 0;
  let timer = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (i) => {
    active = i;
    list.querySelectorAll('[role="option"]').forEach((li, j) => {
      li.setAttribute('aria-selected', j === i ? 'true' : 'false');
      if (j === i) {
        input.setAttribute('aria-activedescendant', li.id);
        li.scrollIntoView({ block: 'nearest' });
      }
    });
    if (i < 0) input.removeAttribute('aria-activedescendant');
  };

  const choose = (i) => {
    const s = items[i];
    if (!s) return;
    input.value = s.label_uk;
    close();
    status.textContent = t('address.chosen', { label: s.label_uk });
    if (onChoose) onChoose(s);
  };

  const render = () => {
    list.replaceChildren(...items.map((s, i) => el('li', {
      id: `${id}-${i}`, role: 'option', class: 'ac-option', 'aria-selected': 'false',
      onmousedown: (e) => e.preventDefault(), // keep the focus in the field
      onclick: () => choose(i),
    }, el('span', { class: 'ac-label', text: s.label_uk }),
    s.label_uk_old ? el('span', { class: 'ac-old', text: ' ' + s.label_uk_old }) : null)));
    active = -1;
    if (!items.length) {
      close();
      status.textContent = t('address.none');
      return;
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    status.textContent = t('address.count', { n: items.length });
  };

  const lookup = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if ([...q].length < MIN || [...q].length > MAX) {
      items = [];
      close();
      return;
    }
    let r;
    try {
      r = await api(`/api/v1/addresses?q=${encodeURIComponent(q)}&limit=${LIMIT}`);
    } catch {
      return; // offline: the field stays a free text
    }
    if (mine !== seq || document.activeElement !== input) return; // stale or left
    items = r.ok && r.data && Array.isArray(r.data.suggestions) ? r.data.suggestions : [];
    render();
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && items.length > 0;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!open) { if (items.length) { render(); } else { lookup(); } e.preventDefault(); return; }
      const d = e.key === 'ArrowDown' ? 1 : -1;
      let next = active + d; // cycles through the options and back to the field
      if (next >= items.length) next = -1;
      else if (next < -1) next = items.length - 1;
      highlight(next);
      e.preventDefault();
    } else if (e.key === 'Enter' && open && active >= 0) {
      e.preventDefault(); // choose, do not submit the form
      choose(active);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      close();
    } else if (e.key === 'Tab') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  return { close };
}

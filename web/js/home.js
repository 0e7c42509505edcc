// Home page: categories from the API, the track box, shared bits.
import { initPage, el, say, wireTrackForm } from './common.js';
import { getCategories } from './api.js';
import { nameOf, onLangChange, t } from './i18n.js';

let categories = null;

function render() {
  const ul = document.getElementById('categories');
  const status = document.getElementById('cat-status');
  if (!categories) return;
  say(status, '');
  ul.replaceChildren(...categories.map((c) => {
    // A few examples of the types help to pick the right category.
    const all = (c.types || []).filter((ty) => ty.code !== 'other').map(nameOf);
    const types = all.length > 3 ? [...all.slice(0, 3), '…'] : all;
    return el('li', {},
      el('a', { class: 'cat-link', href: '/appeal.html?category=' + encodeURIComponent(c.code) },
        el('span', { class: 'cat-name', text: nameOf(c) }),
        types.length ? el('span', { class: 'cat-types', text: types.join(' · ') }) : null));
  }));
}

async function main() {
  wireTrackForm(document.getElementById('track-form'));
  onLangChange(render);
  initPage();
  try {
    categories = await getCategories();
    render();
  } catch {
    say(document.getElementById('cat-status'), t('error.loadCategories'));
  }
}

main();

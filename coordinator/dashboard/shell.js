import { h } from './dom.js';
import { currentLang, setLang, t } from './i18n.js';
import { getToken, onTokenRejected, setToken } from './token.js';

const NAV = [
  ['#/batches', 'nav.batches'],
  ['#/new', 'nav.new'],
  ['#/devices', 'nav.devices'],
];

/**
 * The page frame: title, navigation, language switch and the API token panel. `onChange` runs
 * after the language or the token changed, to draw the current page again.
 *
 * @param {HTMLElement} root
 * @param {() => void} onChange
 */
export function createShell(root, onChange) {
  const header = h('header', { class: 'topbar' });
  const tokenPanel = h('section', {
    class: 'token-panel card',
    hidden: true,
    'aria-labelledby': 'token-title',
  });
  const main = h('main', { id: 'view', class: 'view' });
  root.replaceChildren(header, tokenPanel, main);
  let active = '';

  const drawHeader = () => {
    document.title = t('app.title');
    const tokenLabel = getToken() ? `${t('token.button')} ✓` : t('token.button');
    header.replaceChildren(
      h('a', { class: 'brand', href: '#/batches' }, t('app.title')),
      h(
        'nav',
        { class: 'nav' },
        NAV.map(([href, key]) =>
          h('a', { href, 'aria-current': href === active ? 'page' : undefined }, t(key)),
        ),
      ),
      h(
        'div',
        { class: 'topbar-tools' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet',
            dataset: { action: 'token' },
            onclick: () => showTokenPanel(''),
          },
          tokenLabel,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet',
            lang: currentLang() === 'zh' ? 'en' : 'zh',
            dataset: { action: 'lang' },
            onclick: switchLang,
          },
          t('lang.switch'),
        ),
      ),
    );
  };

  const switchLang = () => {
    setLang(currentLang() === 'zh' ? 'en' : 'zh');
    drawHeader();
    if (!tokenPanel.hidden) showTokenPanel('');
    onChange();
  };

  /** @param {string} message the server's reason, when a call was refused */
  const showTokenPanel = (message) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      required: true,
      'aria-label': t('token.label'),
    });
    const save = (/** @type {SubmitEvent} */ event) => {
      event.preventDefault();
      setToken(input.value.trim());
      tokenPanel.hidden = true;
      drawHeader();
      onChange();
    };
    const clear = () => {
      setToken('');
      tokenPanel.hidden = true;
      drawHeader();
      onChange();
    };
    tokenPanel.replaceChildren(
      h('h2', { id: 'token-title' }, t('token.title')),
      h('p', null, t('token.help')),
      message && h('p', { class: 'alert', role: 'alert' }, message),
      h(
        'form',
        { class: 'token-form', onsubmit: save },
        h('label', null, t('token.label'), ' ', input),
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('token.save')),
        getToken() &&
          h('button', { type: 'button', class: 'btn', onclick: clear }, t('token.clear')),
        h(
          'button',
          { type: 'button', class: 'btn btn-quiet', onclick: () => (tokenPanel.hidden = true) },
          t('token.cancel'),
        ),
      ),
    );
    tokenPanel.hidden = false;
    input.focus();
  };

  onTokenRejected((message) => {
    if (tokenPanel.hidden) showTokenPanel(message);
  });
  drawHeader();

  return {
    main,
    /** @param {string} href the nav entry to mark as the current page */
    setActive(href) {
      active = href;
      drawHeader();
    },
  };
}

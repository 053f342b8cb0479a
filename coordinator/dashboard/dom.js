/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Builds an element. Children that are strings become text nodes, so API data never becomes
 * markup. `on*` functions are listeners; `dataset` fills data attributes; `true` sets a bare
 * attribute and `false`, `null` or `undefined` leaves it out.
 *
 * @example h('a', { href: '#/batches', class: 'link' }, '批量任务')
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown> | null} [props]
 * @param {...Child | Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  el.append(...nodes(children));
  return el;
}

/**
 * @param {unknown[]} children
 * @returns {(Node | string)[]}
 */
function nodes(children) {
  return children
    .flat()
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/**
 * A horizontal bar for a percentage, readable by screen readers.
 *
 * @param {number} percent
 * @param {string} [label]
 */
export function progressBar(percent, label) {
  const bar = h(
    'span',
    {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-label': label,
    },
    h('span', { class: 'bar-fill' }),
  );
  setProgress(bar, percent);
  return bar;
}

/**
 * Moves a bar made by `progressBar`.
 *
 * @param {HTMLElement} bar
 * @param {number} percent
 */
export function setProgress(bar, percent) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  bar.setAttribute('aria-valuenow', String(Math.round(value * 10) / 10));
  const fill = /** @type {HTMLElement} */ (bar.firstElementChild);
  fill.style.width = `${value}%`;
}

/** Builds elements from data without ever parsing it as HTML: text is always text. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export const fmt = (value, digits = 3) =>
  value === null || value === undefined || Number.isNaN(value) ? '–' : Number(value).toFixed(digits);

export const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '–');

export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${kind ?? 'none'}` }, text ?? 'pending');
}

export function problemText(error) {
  return error?.problem?.detail ?? error?.problem?.title ?? error?.message ?? String(error);
}

export function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, problemText(error));
}

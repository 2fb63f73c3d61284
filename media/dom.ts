// A tiny element helper: enough DOM sugar to write views as plain functions, nothing more.
// Text is always set through textContent: nothing from a payload is ever parsed as HTML.

export type Child = Node | string | number | null | undefined | false;
export type Props = Record<string, unknown>;
export type Children = Child | Children[];

/**
 * `h('button', { class: 'btn', onclick: fn, 'aria-label': 'Replay' }, 'Replay')`.
 * `on*` props become listeners; `class` sets className; booleans toggle the attribute;
 * `value`/`checked`/`disabled` set the property. No `style` strings (the CSP forbids them): use
 * `el.style.x = ...` instead.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Children[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el: HTMLElement, props: Props): void {
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden') (el as unknown as Record<string, unknown>)[k] = v;
    else if (k === 'style') throw new Error('h(): style strings are not allowed under the CSP; set el.style instead');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el: Node, children: Children[]): void {
  for (const c of (children as unknown[]).flat(Infinity) as Child[]) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces all children. */
export function replace(el: Node, ...children: Children[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** A small inline SVG icon (codicons are not bundled; these follow their 16px grid). */
export function icon(name: IconName, label?: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('class', `icon icon-${name}`);
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.appendChild(path);
  return svg;
}

const ICONS = {
  check: 'M13.6 3.6 6 11.2 2.4 7.6l-.8.8L6 12.8l8.4-8.4z',
  error: 'M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm3.1 9.4-.7.7L8 8.7l-2.4 2.4-.7-.7L7.3 8 4.9 5.6l.7-.7L8 7.3l2.4-2.4.7.7L8.7 8z',
  running: 'M8 2a6 6 0 1 0 6 6h-1.2A4.8 4.8 0 1 1 8 3.2z',
  queued: 'M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 1.2a5.8 5.8 0 1 1 0 11.6A5.8 5.8 0 0 1 8 2.2zM7.4 4v4.4l3 1.8.6-1-2.4-1.4V4z',
  cancelled: 'M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zM3.2 8a4.8 4.8 0 0 1 7.7-3.8l-6.7 6.7A4.8 4.8 0 0 1 3.2 8zm4.8 4.8a4.8 4.8 0 0 1-2.9-1l6.7-6.7A4.8 4.8 0 0 1 8 12.8z',
  sleep: 'M6 2a6 6 0 1 0 8 7.6A5 5 0 0 1 6 2z',
  wait: 'M3 2h10v1.2h-1v1.6a4 4 0 0 1-2 3.2 4 4 0 0 1 2 3.2v1.6h1V14H3v-1.2h1v-1.6A4 4 0 0 1 6 8a4 4 0 0 1-2-3.2V3.2H3z',
  invoke: 'M9 2v1.2h2.9L6.6 8.5l.9.9 5.3-5.3V7H14V2zM3 4v10h10V9h-1.2v3.8H4.2V5.2H8V4z',
  send: 'M1.5 2.2 15 8 1.5 13.8 2.8 8.6 10 8 2.8 7.4z',
  replay: 'M8 2a6 6 0 0 0-5.2 3H1V2H0v4.5h4.5v-1H3.6a5 5 0 1 1-.3 5.2l-.9.5A6 6 0 1 0 8 2z',
  chevronRight: 'M6 3.5 10.5 8 6 12.5l-.8-.8L8.9 8 5.2 4.3z',
  chevronDown: 'M3.5 6 8 10.5 12.5 6l-.8-.8L8 8.9 4.3 5.2z',
  chevronLeft: 'M10 3.5 5.5 8l4.5 4.5.8-.8L7.1 8l3.7-3.7z',
  step: 'M3 3h2v10H3zm4 1 6 4-6 4z',
  source: 'M5.7 4.3 2 8l3.7 3.7.8-.8L3.6 8l2.9-2.9zm4.6 0-.8.8L12.4 8l-2.9 2.9.8.8L14 8z',
  close: 'M8 7.2 12.2 3l.8.8L8.8 8l4.2 4.2-.8.8L8 8.8 3.8 13l-.8-.8L7.2 8 3 3.8l.8-.8z',
  save: 'M2 2h9.5L14 4.5V14H2zm1.2 1.2v9.6h9.6V5L11 3.2h-.8v3H4.8v-3zm2.8 0v1.8h3V3.2z',
  skip: 'M3 3l7 5-7 5zm8 0h1.4v10H11z',
  edit: 'M11.3 1.7 14.3 4.7 5 14H2v-3zm0 1.7L3.2 11.5v1.3h1.3l8.1-8.1z',
} as const;
export type IconName = keyof typeof ICONS;

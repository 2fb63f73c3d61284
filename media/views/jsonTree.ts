// A collapsible JSON tree (role=tree). Children render lazily on first expand; long strings and
// big arrays/objects are cut with an expander, so a 5 MB output does not freeze the panel.
import { h, icon } from '../dom';
import { preview } from '../format';

const MAX_STRING = 300;
const MAX_CHILDREN = 100;

export function jsonTree(value: unknown, opts: { label?: string; expandDepth?: number } = {}): HTMLElement {
  const tree = h('ul', { class: 'json-tree', role: 'tree', 'aria-label': opts.label ?? 'JSON value' });
  tree.appendChild(node(opts.label ?? null, value, 0, opts.expandDepth ?? 2));
  tree.addEventListener('keydown', onKey);
  const first = tree.querySelector<HTMLElement>('[role=treeitem]');
  if (first) first.tabIndex = 0;
  return tree;
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function node(key: string | null, value: unknown, depth: number, expandDepth: number): HTMLLIElement {
  const li = h('li', { role: 'treeitem', tabindex: -1 });
  const keyEl = key === null ? null : h('span', { class: 'json-key' }, key, ': ');
  if (!isContainer(value)) {
    li.append(h('span', { class: 'json-row' }, h('span', { class: 'twisty-space' }), keyEl, scalar(value)));
    return li;
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `Array(${entries.length})` : `{${entries.length ? '…' : ''}}`;
  const twisty = h('span', { class: 'twisty' });
  const row = h('span', { class: 'json-row json-toggle' }, twisty, keyEl, h('span', { class: 'json-summary' }, entries.length === 0 ? (Array.isArray(value) ? '[]' : '{}') : summary));
  if (entries.length > 0) row.append(h('span', { class: 'json-preview' }, ' ', preview(value, 60)));
  li.append(row);
  if (entries.length === 0) return li;
  const group = h('ul', { role: 'group' });
  let rendered = false;
  const setOpen = (open: boolean) => {
    li.setAttribute('aria-expanded', String(open));
    twisty.replaceChildren(icon(open ? 'chevronDown' : 'chevronRight'));
    group.hidden = !open;
    if (open && !rendered) {
      rendered = true;
      renderChildren(group, entries, 0, depth, expandDepth);
    }
  };
  row.addEventListener('click', () => setOpen(li.getAttribute('aria-expanded') !== 'true'));
  li.append(group);
  setOpen(depth < expandDepth && entries.length <= 50);
  return li;
}

function renderChildren(group: HTMLElement, entries: [string, unknown][], from: number, depth: number, expandDepth: number): void {
  const end = Math.min(entries.length, from + MAX_CHILDREN);
  for (let i = from; i < end; i++) group.appendChild(node(entries[i][0], entries[i][1], depth + 1, expandDepth));
  if (end < entries.length) {
    const more = h('li', { role: 'treeitem', tabindex: -1, class: 'json-more' },
      h('button', { class: 'link', onclick: () => { more.remove(); renderChildren(group, entries, end, depth, expandDepth); } }, `Show ${Math.min(MAX_CHILDREN, entries.length - end)} more of ${entries.length - end}`));
    group.appendChild(more);
  }
}

function scalar(v: unknown): HTMLElement {
  if (typeof v === 'string') {
    const el = h('span', { class: 'json-string' });
    if (v.length <= MAX_STRING) el.textContent = JSON.stringify(v);
    else {
      el.textContent = `${JSON.stringify(v.slice(0, MAX_STRING)).slice(0, -1)}…"`;
      el.append(' ', h('button', { class: 'link', onclick: (e: Event) => { e.stopPropagation(); el.textContent = JSON.stringify(v); } }, `show all ${v.length.toLocaleString()} chars`));
    }
    return el;
  }
  const cls = v === null ? 'json-null' : typeof v === 'number' ? 'json-number' : typeof v === 'boolean' ? 'json-bool' : 'json-other';
  return h('span', { class: cls }, v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));
}

/** Arrow keys move between visible items; Right/Left expand/collapse; Enter toggles. */
function onKey(e: KeyboardEvent): void {
  const current = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
  if (!current) return;
  const tree = e.currentTarget as HTMLElement;
  const items = [...tree.querySelectorAll<HTMLElement>('[role=treeitem]')].filter((el) => el.offsetParent !== null);
  const i = items.indexOf(current);
  const focus = (el: HTMLElement | undefined) => {
    if (!el) return;
    current.tabIndex = -1;
    el.tabIndex = 0;
    el.focus();
  };
  const toggle = current.querySelector<HTMLElement>(':scope > .json-toggle');
  switch (e.key) {
    case 'ArrowDown': focus(items[i + 1]); break;
    case 'ArrowUp': focus(items[i - 1]); break;
    case 'ArrowRight': if (current.getAttribute('aria-expanded') === 'false') toggle?.click(); else focus(items[i + 1]); break;
    case 'ArrowLeft': if (current.getAttribute('aria-expanded') === 'true') toggle?.click(); else focus(current.parentElement?.closest<HTMLElement>('[role=treeitem]') ?? undefined); break;
    case 'Enter': case ' ': toggle?.click(); break;
    default: return;
  }
  e.preventDefault();
}

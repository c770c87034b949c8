// The only way the dashboard makes DOM: elements with attributes set one by one and children added
// as text nodes. Nothing from the API is ever parsed as HTML (no innerHTML anywhere in ui/).

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  [attribute: string]: string | boolean | undefined | Record<string, EventListener>;
  on?: Record<string, EventListener>;
}

/** `<tag attrs…>children</tag>`; strings become text nodes, `on` adds event listeners. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'on' && typeof value === 'object') {
      for (const [event, listener] of Object.entries(value)) node.addEventListener(event, listener);
    } else if (/^on|^style$/i.test(name)) {
      // Inline handlers and styles would be refused by the CSP anyway; never write them.
      throw new Error(`el: attribute ${name} is not allowed`);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else if (typeof value === 'string') {
      node.setAttribute(name, value);
    }
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces everything in `parent` with `children`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A table with a header row and one row per item. */
export function table<T>(headers: string[], items: T[], row: (item: T) => Child[], props: Props = {}): HTMLTableElement {
  return el(
    'table',
    props,
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...items.map((item) => el('tr', {}, ...row(item).map((cell) => el('td', {}, cell))))),
  );
}

export function button(label: string, onClick: () => void, props: Props = {}): HTMLButtonElement {
  return el('button', { type: 'button', ...props, on: { click: () => onClick() } }, label);
}

/** A definition list of a record's fields (term, value). */
export function details(rows: [string, string | Node][], props: Props = {}): HTMLElement {
  return el('dl', { class: 'details', ...props }, ...rows.flatMap(([term, desc]) => [el('dt', {}, term), el('dd', {}, desc)]));
}

/** The crumbs above a record: "Projects / <links…> / <id>". */
export function crumbs(links: [label: string, href: string][], id: string): HTMLElement {
  const parts = [['Projects', '#/projects'] as [string, string], ...links].flatMap(([label, href]) => [el('a', { href }, label), ' / ']);
  return el('p', { class: 'crumbs' }, ...parts, el('code', {}, id));
}

/** A table that scrolls sideways in its own box when wider than the page (a phone), never squeezing its cells. */
export function wideTable<T>(headers: string[], items: T[], row: (item: T) => Child[], props: Props = {}): HTMLElement {
  return el('div', { class: 'scroll' }, table(headers, items, row, props));
}

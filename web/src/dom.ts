/**
 * The one way the UI builds elements. Data only ever reaches the page as text nodes or as values
 * of a short list of attributes; URLs must be same-origin paths or fragments. There is no path
 * from a string to markup here, on purpose.
 */

export type Child = Node | string | number | null | undefined | false;

type AttrValue = string | number | boolean | null | undefined;

/** Attributes that cannot run code or load from elsewhere on their own. */
const SAFE_ATTRIBUTES = new Set([
  'alt', 'autocomplete', 'class', 'datetime', 'decoding', 'dir', 'disabled', 'enterkeyhint', 'for', 'height', 'hidden',
  'id', 'inputmode', 'lang', 'loading', 'max', 'min', 'name', 'placeholder', 'required', 'role', 'selected', 'step',
  'tabindex', 'title', 'type', 'value', 'width', 'spellcheck', 'method', 'novalidate', 'low', 'high', 'optimum', 'rel', 'scope',
]);
/** Where a link opens: only a new tab, and then without a handle back to this page. */
const TARGETS = new Set(['_blank']);
const URL_ATTRIBUTES = new Set(['href', 'src']);

type StyleKey = 'left' | 'width' | 'top' | 'height';

export interface Props {
  class?: string;
  attrs?: Record<string, AttrValue>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
  /** Set through the CSSOM (allowed under a strict Content-Security-Policy), never as a style attribute. */
  style?: Partial<Record<StyleKey, string>>;
}

/** Same-origin paths and fragments only: no `javascript:`, no `//host`, no other origins. */
export function isSafeUrl(value: string): boolean {
  return (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) || value.startsWith('#');
}

export function setAttr(el: Element, name: string, value: AttrValue): void {
  const allowed = SAFE_ATTRIBUTES.has(name) || name.startsWith('aria-') || name.startsWith('data-') || URL_ATTRIBUTES.has(name) || name === 'target';
  if (!allowed) throw new Error(`dom: attribute "${name}" is not allowed`);
  if (value === false || value === null || value === undefined) {
    el.removeAttribute(name);
    return;
  }
  const text = value === true ? '' : String(value);
  if (name === 'target') {
    if (!TARGETS.has(text)) throw new Error(`dom: refusing target="${text}"`);
    el.setAttribute('rel', 'noopener');
  }
  if (URL_ATTRIBUTES.has(name) && !isSafeUrl(text)) throw new Error(`dom: refusing ${name}="${text}"`);
  el.setAttribute(name, text);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) setAttr(el, name, value);
  for (const [name, value] of Object.entries(props?.style ?? {})) el.style[name as StyleKey] = value;
  for (const [type, listener] of Object.entries(props?.on ?? {})) el.addEventListener(type, listener as EventListener);
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replace everything inside `parent` with `children`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Entry point: the shell (header, language switch), the API client and the router. */
import './styles.css';
import { createApiClient, type TokenStore } from './api.ts';
import { h, mount, setAttr } from './dom.ts';
import { currentLang, isLang, LANGUAGE_NAMES, LANGUAGES, preferredLang, setCurrentLang, t, type Lang } from './i18n.ts';
import { CAMERAS_HASH, GATEWAY_HASH, lastSearchHash, startRouter, type Route } from './router.ts';
import { renderCamerasView } from './views/cameras-view.ts';
import { createContext } from './views/common.ts';
import { renderEventView } from './views/event-view.ts';
import { renderGatewayView } from './views/gateway-view.ts';
import { renderSearchView } from './views/search-view.ts';
import { askForToken } from './views/token-dialog.ts';

const LANG_KEY = 'vigil.lang';
const TOKEN_KEY = 'vigil.token';

/** localStorage can be missing or throw (private modes, disabled storage): the UI then just forgets. */
function stored(key: string): { get(): string | null; set(value: string): void; clear(): void } {
  const storage = (): Storage | null => {
    try {
      return window.localStorage;
    } catch {
      return null; // storage disabled by the browser
    }
  };
  return {
    get: () => storage()?.getItem(key) ?? null,
    set: (value) => storage()?.setItem(key, value),
    clear: () => storage()?.removeItem(key),
  };
}

const langStore = stored(LANG_KEY);
const tokens: TokenStore = stored(TOKEN_KEY);
const savedLang = langStore.get();
setCurrentLang(isLang(savedLang) ? savedLang : preferredLang(navigator.languages));

const ctx = createContext(createApiClient({ tokens, askToken: askForToken }));
const app = document.getElementById('app');
if (!app) throw new Error('index.html has no #app');

const main = h('main', { class: 'main', attrs: { id: 'main' } });
let router: { refresh(): void } | null = null;
let nav: { search: HTMLAnchorElement; cameras: HTMLAnchorElement; gateway: HTMLAnchorElement } | null = null;

function navigation(): HTMLElement {
  const link = (page: string, href: string, text: string) => h('a', { class: 'nav-link', attrs: { href, 'data-page': page } }, text);
  nav = {
    search: link('search', lastSearchHash(), t('nav_search')),
    cameras: link('cameras', CAMERAS_HASH, t('nav_cameras')),
    gateway: link('gateway', GATEWAY_HASH, t('nav_gateway')),
  };
  return h('nav', { class: 'site-nav', attrs: { 'aria-label': t('nav_label') } }, nav.search, nav.cameras, nav.gateway);
}

/** Marks the page the user is on, and points "Search" at the last search they saw. */
function markCurrent(route: Route): void {
  if (!nav) return;
  setAttr(nav.search, 'href', lastSearchHash());
  const page = route.name === 'event' ? 'search' : route.name;
  for (const [name, link] of Object.entries(nav)) {
    setAttr(link, 'aria-current', name === page ? 'page' : null);
  }
}

function header(): HTMLElement {
  const switcher = h(
    'div',
    { class: 'lang-switch', attrs: { role: 'group', 'aria-label': t('language') } },
    ...LANGUAGES.map((lang: Lang) =>
      h('button', {
        class: 'lang-button',
        attrs: { type: 'button', lang, 'aria-pressed': String(lang === currentLang()), 'data-lang': lang },
        on: { click: () => chooseLanguage(lang) },
      }, LANGUAGE_NAMES[lang]),
    ),
  );
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', attrs: { href: '#/' } }, h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), t('app_title')),
    h('span', { class: 'tagline' }, t('app_tagline')),
    navigation(),
    switcher,
  );
}

function renderShell(): void {
  document.documentElement.lang = currentLang();
  mount(app!, header(), main);
}

function chooseLanguage(lang: Lang): void {
  if (lang === currentLang()) return;
  setCurrentLang(lang);
  langStore.set(lang);
  renderShell();
  router?.refresh();
}

function render(route: Route, signal: AbortSignal): void {
  markCurrent(route);
  if (route.name === 'event') renderEventView(main, ctx, route.id, signal);
  else if (route.name === 'cameras') renderCamerasView(main, ctx, signal);
  else if (route.name === 'gateway') renderGatewayView(main, ctx, route.params, signal);
  else if (route.name === 'search') renderSearchView(main, ctx, route.params, signal);
  else mount(main, h('p', { class: 'muted' }, t('not_found_route')), h('a', { attrs: { href: '#/' } }, t('search_button')));
}

renderShell();
router = startRouter(render);

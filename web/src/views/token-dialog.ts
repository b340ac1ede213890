/** Asks for the API token in a modal dialog; resolves with it, or null when cancelled. */
import { h } from '../dom.ts';
import { t } from '../i18n.ts';

export function askForToken(): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('input', { attrs: { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' } });
    const dialog = h('dialog', { class: 'token-dialog', attrs: { 'aria-labelledby': 'token-title' } });
    const finish = (value: string | null) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.append(
      h(
        'form',
        {
          attrs: { method: 'dialog' },
          on: {
            submit: (event) => {
              event.preventDefault();
              finish(input.value.trim() || null);
            },
          },
        },
        h('h2', { attrs: { id: 'token-title' } }, t('token_title')),
        h('p', null, t('token_text')),
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('token_label')), input),
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { class: 'secondary', attrs: { type: 'button' }, on: { click: () => finish(null) } }, t('token_cancel')),
          h('button', { class: 'primary', attrs: { type: 'submit' } }, t('token_ok')),
        ),
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

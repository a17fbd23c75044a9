import { html, type Html } from '../html';
import { layout } from './layout';

/** `token`: the login form's anti-CSRF token (double submit with a pre-session cookie). */
export function paginaLogin(errore: string | null, id: string, token: string): Html {
  return layout(
    'Accesso',
    html`${errore ? html`<p class="errore" role="alert">${errore}</p>` : ''}
<form method="post" action="/login" class="modulo-login"><input type="hidden" name="_csrf" value="${token}">
  <p><label for="utente">Identificativo operatore</label>
  <input id="utente" name="utente" autocomplete="username" required value="${id}"></p>
  <p><label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Accedi</button></p>
</form>`,
    null,
  );
}

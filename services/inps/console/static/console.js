// Live updates: the server pushes the id of each istruttoria that changed (server-sent events); the page shown
// fetches itself again and swaps the region marked data-aggiorna, without a reload and without losing the
// filters typed in the form.
(function () {
  'use strict';
  var live = document.body.getAttribute('data-live');
  if (!live || !window.EventSource) return;
  var inCorso = false;
  var ancora = false;
  function annuncia(testo) {
    var a = document.getElementById('annuncio');
    if (a) a.textContent = testo;
  }
  function aggiorna() {
    if (inCorso) { ancora = true; return; }
    inCorso = true;
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'X-Richiesta': 'aggiornamento' } })
      .then(function (r) {
        if (r.redirected && /\/login/.test(r.url)) { window.location.assign(r.url); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (testo) {
        if (testo === null) return;
        var doc = new DOMParser().parseFromString(testo, 'text/html');
        var nuovi = doc.querySelectorAll('[data-aggiorna]');
        for (var i = 0; i < nuovi.length; i++) {
          var vecchio = nuovi[i].id && document.getElementById(nuovi[i].id);
          if (vecchio) vecchio.replaceWith(document.importNode(nuovi[i], true));
        }
        annuncia('Aggiornato alle ' + new Date().toLocaleTimeString('it-IT'));
        document.body.setAttribute('data-aggiornamenti', String(Number(document.body.getAttribute('data-aggiornamenti') || '0') + 1));
      })
      .catch(function () { /* the next event retries */ })
      .then(function () {
        inCorso = false;
        if (ancora) { ancora = false; aggiorna(); }
      });
  }
  var attesa = null;
  var fonte = new EventSource('/eventi');
  fonte.addEventListener('istruttoria', function (e) {
    if (live !== 'elenco' && e.data !== live) return;
    // The list changes with any istruttoria: at most one refresh a second however busy the federation is.
    if (attesa) return;
    attesa = setTimeout(function () { attesa = null; aggiorna(); }, live === 'elenco' ? 1000 : 50);
  });
})();

/*! Kontolink embed script (Apache-2.0). Plain ES2017, no dependencies.
 *
 *   Kontolink.open({
 *     location,                // the `location` of POST /onetime/access or /ongoing/access
 *     onSuccess({code, state}),
 *     onExit({error, cancel, state}),
 *     onEvent({event}),        // optional: "OPEN", "SUCCESS", "EXIT", "CLOSE"
 *   }) → {close()}
 *
 * Opens a full-screen overlay with the widget in an iframe. The widget ends the flow by
 * posting one message {link, query: {code, state, success, cancel, error}} to this window;
 * only a message from that iframe and from the widget's exact origin is accepted. The close
 * button and the Escape key end the flow as a cancel. Exactly one of onSuccess / onExit is
 * called, once; then the overlay closes.
 */
(function (global) {
  'use strict';

  var LABELS = {
    de: { close: 'Bankverbindung schließen', title: 'Bankkonto verbinden' },
    en: { close: 'Close bank connection', title: 'Connect your bank account' },
    fr: { close: 'Fermer la connexion bancaire', title: 'Connecter votre compte bancaire' },
    es: { close: 'Cerrar la conexión bancaria', title: 'Conectar su cuenta bancaria' },
  };

  function labels(location) {
    var lang = '';
    try { lang = new URL(location).searchParams.get('lang') || ''; } catch (e) { /* ignore */ }
    lang = (lang || document.documentElement.lang || 'de').slice(0, 2).toLowerCase();
    return LABELS[lang] || LABELS.de;
  }

  function style(element, properties) {
    Object.keys(properties).forEach(function (key) { element.style[key] = properties[key]; });
    return element;
  }

  function call(callback, value) {
    if (typeof callback !== 'function') return;
    try { callback(value); } catch (e) { setTimeout(function () { throw e; }); }
  }

  function open(options) {
    options = options || {};
    var location = options.location;
    var origin;
    try {
      origin = new URL(location, global.location.href).origin;
    } catch (e) {
      throw new TypeError('Kontolink.open: `location` must be a URL');
    }
    var text = labels(location);
    var done = false;
    var previousFocus = document.activeElement;
    var previousOverflow = document.body.style.overflow;

    var overlay = style(document.createElement('div'), {
      position: 'fixed', top: '0', right: '0', bottom: '0', left: '0', zIndex: '2147483647',
      background: 'rgba(26, 26, 46, 0.6)', display: 'flex', alignItems: 'center', justifyContent: 'center',
    });
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', text.title);
    overlay.setAttribute('data-testid', 'kontolink-overlay');

    var frame = style(document.createElement('div'), {
      position: 'relative', width: '100%', maxWidth: '480px', height: '100%', maxHeight: '760px',
      background: '#ffffff', borderRadius: '8px', overflow: 'hidden', boxShadow: '0 8px 32px rgba(0,0,0,0.3)',
      // A bar above the widget for the close button, so it never covers the widget's content.
      boxSizing: 'border-box', paddingTop: '52px',
    });

    var iframe = style(document.createElement('iframe'), {
      border: '0', borderTop: '1px solid #dadce3', boxSizing: 'border-box', width: '100%', height: '100%',
      display: 'block',
    });
    iframe.setAttribute('title', text.title);
    iframe.setAttribute('src', location);
    iframe.setAttribute('allow', 'clipboard-write');
    iframe.setAttribute('data-testid', 'kontolink-iframe');

    var close = style(document.createElement('button'), {
      position: 'absolute', top: '4px', right: '8px', width: '44px', height: '44px', zIndex: '1',
      border: '2px solid #0b57d0', borderRadius: '50%', background: '#ffffff', color: '#0b57d0',
      font: '600 24px/1 system-ui, sans-serif', cursor: 'pointer',
    });
    close.setAttribute('type', 'button');
    close.setAttribute('aria-label', text.close);
    close.setAttribute('data-testid', 'kontolink-close');
    close.textContent = '\u00d7';

    // Everything else on the page is inert while the overlay is open.
    var inerted = Array.prototype.filter.call(document.body.children, function (element) {
      return !element.inert;
    });

    function teardown() {
      inerted.forEach(function (element) { element.inert = false; });
      global.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKeydown, true);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      document.body.style.overflow = previousOverflow;
      if (previousFocus && typeof previousFocus.focus === 'function') previousFocus.focus();
      call(options.onEvent, { event: 'CLOSE' });
    }

    function finish(query) {
      if (done) return;
      done = true;
      query = query || {};
      if (query.success === 'true') {
        call(options.onEvent, { event: 'SUCCESS' });
        call(options.onSuccess, { code: query.code, state: query.state });
      } else {
        call(options.onEvent, { event: 'EXIT' });
        call(options.onExit, {
          error: query.error || null,
          cancel: query.cancel === 'true',
          state: query.state,
        });
      }
      teardown();
    }

    function onMessage(event) {
      if (event.origin !== origin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (typeof data === 'string') {
        try { data = JSON.parse(data); } catch (e) { return; }
      }
      if (!data || typeof data !== 'object' || typeof data.query !== 'object' || data.query === null) return;
      finish(data.query);
    }

    function onKeydown(event) {
      if (event.key === 'Escape' || event.key === 'Esc') {
        event.preventDefault();
        finish({ success: 'false', cancel: 'true' });
      }
    }

    close.addEventListener('click', function () { finish({ success: 'false', cancel: 'true' }); });
    global.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKeydown, true);

    frame.appendChild(close);
    frame.appendChild(iframe);
    overlay.appendChild(frame);
    inerted.forEach(function (element) { element.inert = true; });
    document.body.appendChild(overlay);
    document.body.style.overflow = 'hidden';
    iframe.focus();
    call(options.onEvent, { event: 'OPEN' });

    return {
      close: function () { finish({ success: 'false', cancel: 'true' }); },
    };
  }

  global.Kontolink = { open: open };
})(window);

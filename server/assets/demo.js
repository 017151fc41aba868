/* The demo integrator page: asks POST /demo/start for a widget location, then opens it in
   an overlay (Kontolink.open) or navigates this window to it. No inline script (CSP). */
(function () {
  'use strict';

  var iban = document.getElementById('demo-iban');
  var result = document.getElementById('demo-result');
  var buttons = [document.getElementById('demo-overlay'), document.getElementById('demo-redirect')];

  // ?iban=… prefills the field.
  var preset = new URLSearchParams(window.location.search).get('iban');
  if (preset) iban.value = preset;

  function say(message) { result.textContent = message; }
  function busy(on) { buttons.forEach(function (b) { b.disabled = on; }); }

  function start(mode) {
    busy(true);
    say('Opening …');
    var body = { mode: mode };
    var value = iban.value.replace(/\s+/g, '');
    if (value) body.iban = value;
    return fetch('/demo/start', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (answer) {
      if (!answer || typeof answer.location !== 'string') throw new Error('no location');
      return answer.location;
    }).catch(function (error) {
      busy(false);
      say('Could not start: ' + error.message);
      throw error;
    });
  }

  function toCallback(query) {
    var params = new URLSearchParams();
    Object.keys(query).forEach(function (key) {
      if (query[key] !== undefined && query[key] !== null) params.set(key, String(query[key]));
    });
    window.location.assign('/demo/callback?' + params.toString());
  }

  buttons[0].addEventListener('click', function () {
    start('overlay').then(function (location) {
      say('');
      Kontolink.open({
        location: location,
        onSuccess: function (answer) {
          say('Connected. Fetching accounts …');
          toCallback({ code: answer.code, state: answer.state, success: 'true' });
        },
        onExit: function (answer) {
          busy(false);
          if (answer.cancel) say('Cancelled.');
          else say('The connection failed' + (answer.error ? ' (error ' + answer.error + ').' : '.'));
        },
      });
    }, function () {});
  });

  buttons[1].addEventListener('click', function () {
    start('redirect').then(function (location) {
      window.location.assign(location);
    }, function () {});
  });
})();

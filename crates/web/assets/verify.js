// The waiting page of a passport check: asks for the request's state four times a second and
// shows the result as soon as the worker has answered.
(function () {
  'use strict';
  const waiting = document.querySelector('[data-poll]');
  if (!waiting) return;
  const tick = async () => {
    try {
      const response = await fetch(waiting.dataset.poll, { credentials: 'same-origin' });
      if (response.ok && (await response.text()).trim() !== 'pending') {
        window.location.reload();
        return;
      }
    } catch (_) {
      // A dropped connection: try again.
    }
    setTimeout(tick, 250);
  };
  setTimeout(tick, 250);
})();

// The writing page of an import: asks how far the import has got twice a second, moves the
// progress bar and its words, and shows the outcome (by reloading the page) once it is done.
// Without JavaScript the page's "Check again" link does the same by hand.
(function () {
  'use strict';
  const bar = document.querySelector('[data-import-progress]');
  if (!bar) return;
  const words = document.getElementById('write-progress-words');
  const tick = async () => {
    try {
      const response = await fetch(bar.dataset.importProgress, { credentials: 'same-origin' });
      if (response.ok) {
        const job = await response.json();
        if (job.total > 0) {
          bar.max = job.total;
          bar.value = job.written;
          bar.textContent = `${job.written} of ${job.total}`;
          if (words) words.textContent = job.words;
        }
        if (job.done) {
          window.location.reload();
          return;
        }
      }
    } catch (_) {
      // A dropped connection: try again.
    }
    setTimeout(tick, 500);
  };
  setTimeout(tick, 500);
})();

// The service worker: shows each Web Push message as a notification and opens its page when
// tapped. Messages are JSON {id, title, body, url}; the id is the notification's tag, so the same
// alert delivered twice is shown once.
'use strict';

self.addEventListener('push', (event) => {
  let message = { title: 'Staffbank', body: 'You have a new alert.', url: '/', id: undefined };
  try {
    message = Object.assign(message, event.data ? event.data.json() : {});
  } catch (_) {
    // Not JSON: show the plain alert.
  }
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      tag: message.id,
      data: { url: message.url },
    })
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  // Only pages of this site are opened.
  const target = url.origin === self.location.origin ? url.href : self.location.origin + '/';
  event.waitUntil(self.clients.openWindow(target));
});

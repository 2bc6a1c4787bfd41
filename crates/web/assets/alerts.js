// "Alerts on this device": registers the service worker, subscribes this browser with the
// platform's VAPID key and posts the subscription through the page's own form (with its CSRF
// token). Says whether this device already gets alerts by comparing its subscription with the
// ones listed on the page.
(function () {
  'use strict';
  const panel = document.querySelector('[data-vapid-key]');
  if (!panel) return;
  const status = document.getElementById('this-device-status');
  const turnOn = document.getElementById('turn-on');
  const form = document.getElementById('subscribe-form');
  const say = (text) => { status.textContent = text; };

  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (!supported) {
    say('This browser cannot show alerts. Try a recent version of Chrome, Edge, Firefox or Safari.');
    return;
  }

  const keyBytes = (base64url) => {
    const padded = (base64url + '==='.slice((base64url.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const listed = Array.from(document.querySelectorAll('[data-endpoint]')).map((el) => el.dataset.endpoint);

  const show = async () => {
    const registration = await navigator.serviceWorker.register('/sw.js');
    const existing = await registration.pushManager.getSubscription();
    if (existing && listed.includes(existing.endpoint)) {
      say('Alerts are on for this device.');
      turnOn.hidden = true;
    } else {
      say('Alerts are off for this device.');
      turnOn.hidden = false;
    }
    return registration;
  };

  const ready = show().catch(() => {
    say('Alerts could not be set up in this browser.');
    return null;
  });

  turnOn.addEventListener('click', async () => {
    const registration = await ready;
    if (!registration) return;
    try {
      if ((await Notification.requestPermission()) !== 'granted') {
        say('Alerts are blocked for this site. Allow notifications in your browser settings, then try again.');
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(panel.dataset.vapidKey),
      });
      const json = subscription.toJSON();
      form.elements.endpoint.value = json.endpoint;
      form.elements.p256dh.value = json.keys.p256dh;
      form.elements.auth.value = json.keys.auth;
      form.submit();
    } catch (_) {
      say('Alerts could not be turned on. Check your connection and try again.');
    }
  });
})();

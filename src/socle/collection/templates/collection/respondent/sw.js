/* Socle's service worker for the respondent form (scope /r/), served by socle.collection.views_offline.
 * - the script and the stylesheet: cached at install, answered from the cache (their URLs change with their content);
 * - /r/<code>/questionnaire.json?…: from the network, a copy kept for offline use;
 * - /r/<code>/ pages: from the network; offline, a clean start page of that link (fetched without cookies, so it
 *   never holds anybody's answers nor a staff member's session), which the script then runs from the JSON.
 * Links are prepared for offline use when a page of the form asks ("prepare"); a new version refreshes them. */
"use strict";
const CONFIG = {{ config|safe }};
const STATIC_CACHE = "socle-respondent-static-" + CONFIG.version;
const LINKS_CACHE = "socle-respondent-links-v1";
const LINK_PAGE = /^\/r\/[0-9a-z]+\/$/;
const LINK_JSON = /^\/r\/[0-9a-z]+\/questionnaire\.json$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(CONFIG.static)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("socle-respondent-static-") && name !== STATIC_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
    await refreshAll(); // the links kept offline name the old static files: take them again with the new ones
  })());
});

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

async function keep(url, credentials) {
  const parsed = new URL(url, self.location.origin);
  if (!sameOrigin(parsed) || !(LINK_PAGE.test(parsed.pathname) || LINK_JSON.test(parsed.pathname))) return false;
  const response = await fetch(parsed.href, { credentials, redirect: "error", cache: "no-store" });
  const cache = await caches.open(LINKS_CACHE);
  if (response.status === 404) {
    await cache.delete(parsed.href);
    return false;
  }
  if (!response.ok) return false;
  await cache.put(parsed.href, response);
  return true;
}

async function prepare(urls) {
  let done = true;
  for (const url of urls) {
    const path = new URL(url, self.location.origin).pathname;
    try {
      // The start page without cookies: no answers, no session in it.
      done = (await keep(url, LINK_PAGE.test(path) ? "omit" : "same-origin")) && done;
    } catch (error) {
      done = false;
    }
  }
  return done;
}

async function refreshAll() {
  const cache = await caches.open(LINKS_CACHE);
  const urls = (await cache.keys()).map((request) => request.url);
  if (urls.length) await prepare(urls);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "prepare" || !Array.isArray(data.urls)) return;
  const reply = event.ports && event.ports[0];
  event.waitUntil(prepare(data.urls.slice(0, 40)).then((done) => {
    if (reply) reply.postMessage({ type: "prepared", done });
  }));
});

async function fromStatic(request) {
  const cached = await caches.match(request, { cacheName: STATIC_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(STATIC_CACHE)).put(request, response.clone());
  return response;
}

async function networkFirst(request, url, fallback) {
  try {
    const response = await fetch(request);
    if (response.ok && LINK_JSON.test(url.pathname)) {
      (await caches.open(LINKS_CACHE)).put(url.href, response.clone());
    }
    return response;
  } catch (error) {
    const cache = await caches.open(LINKS_CACHE);
    const cached = await cache.match(fallback, { ignoreVary: true });
    if (cached) return cached;
    if (request.mode === "navigate") {
      return new Response(CONFIG.offline, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!sameOrigin(url)) return;
  if (CONFIG.static.includes(url.pathname)) {
    event.respondWith(fromStatic(request));
  } else if (LINK_PAGE.test(url.pathname) && request.mode === "navigate") {
    event.respondWith(networkFirst(request, url, url.origin + url.pathname)); // any ?lang=… falls back to the page
  } else if (LINK_JSON.test(url.pathname)) {
    event.respondWith(networkFirst(request, url, url.href));
  }
});

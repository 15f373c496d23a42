// The API client: every call carries the signed-in credential; failures become ApiError with the RFC 7807 problem.

import { credentialHeaders, signOut, freshen } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    /** The language the API wrote the problem in (its Content-Language), so screen readers use the right voice. */
    this.lang = problem?.lang ?? null;
  }

  /** The problem's per-field errors as [field, message] pairs (rows and columns of a file come this way). */
  get fieldErrors() {
    const errors = this.problem.errors;
    if (!errors || typeof errors !== 'object') {
      return [];
    }
    return Object.entries(errors).flatMap(([field, messages]) => (Array.isArray(messages) ? messages : [messages]).map((m) => [field, String(m)]));
  }
}

async function problemOf(response) {
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      const problem = await response.json();
      if (problem && typeof problem === 'object') {
        Object.defineProperty(problem, 'lang', { value: response.headers.get('content-language') || 'zh-CN', enumerable: false });
      }
      return problem;
    } catch {
      return null;
    }
  }
  return { title: response.statusText };
}

async function send(method, path, { body, contentType, accept = 'application/json', raw = false } = {}) {
  await freshen();
  // Problems are written in Chinese unless a request prefers English: the console asks for Chinese whatever the browser says.
  const headers = { Accept: accept, 'Accept-Language': 'zh-CN', ...credentialHeaders() };
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof FormData) && typeof body !== 'string') {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }

  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { title: 'network' });
  }

  if (response.status === 401) {
    signOut({ expired: true });
    throw new ApiError(401, await problemOf(response));
  }
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  if (raw) {
    return response;
  }
  if (response.status === 204) {
    return null;
  }
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const api = {
  /** The whole Response, for callers that need the status (201 against 200) or headers. */
  send,
  get: (path) => send('GET', path),
  post: (path, body = {}) => send('POST', path, { body }),
  put: (path, body) => send('PUT', path, { body }),
  del: (path, body) => send('DELETE', path, { body }),

  /**
   * Uploads a file with progress (fetch cannot report upload progress): onProgress(fraction 0..1).
   * Resolves with the JSON answer, rejects with ApiError carrying the problem.
   */
  async upload(method, path, file, onProgress) {
    await freshen();
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      for (const [name, value] of Object.entries(credentialHeaders())) {
        xhr.setRequestHeader(name, value);
      }
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Accept-Language', 'zh-CN');
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          onProgress?.(e.loaded / e.total);
        }
      };
      xhr.onerror = () => reject(new ApiError(0, { title: 'network' }));
      xhr.onload = () => {
        let json = null;
        try {
          json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
          if (json && typeof json === 'object' && xhr.status >= 400) {
            Object.defineProperty(json, 'lang', { value: xhr.getResponseHeader('content-language') || 'zh-CN', enumerable: false });
          }
        } catch {
          json = { title: xhr.statusText };
        }
        if (xhr.status === 401) {
          signOut({ expired: true });
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress?.(1);
          resolve(json);
        } else {
          reject(new ApiError(xhr.status, json));
        }
      };
      xhr.send(form);
    });
  },

  /** Downloads a file the API serves to signed-in users only (a plain link would not carry the credential). */
  async download(path, fileName) {
    const response = await send('GET', path, { accept: '*/*', raw: true });
    const blob = await response.blob();
    const disposition = response.headers.get('content-disposition') || '';
    const named = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = named ? decodeURIComponent(named) : fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return link.download;
  },
};

/** Follows continuation tokens until `limit` items or the end. */
export async function getAll(path, limit = 1000) {
  const items = [];
  let token = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await api.get(token ? `${path}${separator}continuationToken=${encodeURIComponent(token)}` : path);
    items.push(...(page.items ?? []));
    token = page.continuationToken;
  } while (token && items.length < limit);
  return items;
}

/** Whether GET /api/cycles/{id} offers the caller this action now (its allowedActions): the API applies the lifecycle rules. */
export const allows = (cycle, action) => (cycle.allowedActions ?? []).includes(action);

/** What the cycle waits on of these kinds (its waitingOn), e.g. waits(cycle, 'approval', 'nameMismatches'). */
export const waits = (cycle, ...kinds) => (cycle.waitingOn ?? []).filter((w) => kinds.includes(w.kind));

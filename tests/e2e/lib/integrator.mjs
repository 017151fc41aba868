// What an integrator's backend does: create flows with the demo client's credentials.
const demoAuth = 'Basic ' + Buffer.from('demo:demo-secret').toString('base64');

export async function createOnetimeFlow(base, body = {}) {
  const response = await fetch(`${base}/onetime/access`, {
    method: 'POST',
    headers: { authorization: demoAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uri: `${base}/demo/callback`, state: 'e2e-state', ...body }),
  });
  if (response.status !== 201) throw new Error(`onetime/access: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Exchanges an authorization code at the token endpoint, as the integrator's backend does. */
export async function exchangeCode(base, code) {
  const response = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { authorization: demoAuth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${base}/demo/callback` }),
  });
  if (response.status !== 200) throw new Error(`auth/token: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A data API call with the end-user's access token. */
export async function dataApi(base, token, path, init = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers || {}) },
  });
  return { status: response.status, body: await response.json() };
}

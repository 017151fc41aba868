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

import { publicUrlSource, runPageUrl } from './run-link.js';

describe('the run link in messages', () => {
  it('is the run page under the public URL', () => {
    expect(runPageUrl('https://evalvault.acme.example', 'run 42')).toBe('https://evalvault.acme.example/runs/run%2042');
  });

  it('is based on EVALVAULT_PUBLIC_URL when set, else where the gateway listens, else its default address', () => {
    let gatewayUrl: string | null = null;
    const peers = { gatewayUrl: () => gatewayUrl };
    expect(publicUrlSource('https://evalvault.acme.example', peers)()).toBe('https://evalvault.acme.example');
    const embedded = publicUrlSource(null, peers);
    expect(embedded()).toBe('http://127.0.0.1:8080');
    gatewayUrl = 'http://127.0.0.1:43117/'; // the gateway started on a free port after the notifier
    expect(embedded()).toBe('http://127.0.0.1:43117');
    expect(publicUrlSource(null, undefined)()).toBe('http://127.0.0.1:8080');
  });
});
